// Before the tests: say in one line what this machine lacks, instead of failing deep inside a suite.
import { execFileSync } from 'node:child_process';

const problems = [];
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19))
  problems.push(`Node ${process.versions.node} is too old: install Node 20.19 or newer.`);
try {
  execFileSync('java', ['-version'], { stdio: 'ignore' });
} catch {
  problems.push('Java is missing (DynamoDB Local needs it): apt-get install -y openjdk-17-jre-headless');
}
if (problems.length > 0) {
  for (const problem of problems) console.error(problem);
  process.exit(1);
}
