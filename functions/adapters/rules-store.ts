/** Reads the unified rule documents in force from DynamoDB (cached briefly per container) and stores new versions. */
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { inForce } from '../domain/rule-versions';
import {
  allocationPolicySchema,
  catalogueDocumentSchema,
  complianceRulesSchema,
  memberRosterSchema,
  priceListSchema,
  type RuleSet,
  trademarkRegisterSchema,
} from '../domain/rules';
import { dynamoDb } from './aws-clients';

export const ruleDocumentSchemas = {
  catalogue: catalogueDocumentSchema,
  trademarks: trademarkRegisterSchema,
  priceList: priceListSchema,
  compliance: complianceRulesSchema,
  members: memberRosterSchema,
  allocationPolicy: allocationPolicySchema,
} as const;

export type RuleKind = keyof typeof ruleDocumentSchemas;
export const ruleKinds = Object.keys(ruleDocumentSchemas) as RuleKind[];

interface StoredDocument {
  version: string;
  effectiveFrom: string;
  effectiveTo?: string;
}

const CACHE_MS = 60_000;

export class RulesNotLoadedError extends Error {
  override name = 'RulesNotLoadedError';
}

export { inForce };

/** The `documentType` a kind's documents carry (e.g. priceList → "price-list"), read from its schema. */
export function documentTypeOf(kind: RuleKind): string {
  return ruleDocumentSchemas[kind].shape.documentType.value;
}

/** The kind whose schema accepts this documentType, for tools handed a file rather than a kind. */
export function kindOfDocumentType(documentType: unknown): RuleKind | undefined {
  return ruleKinds.find((kind) => documentTypeOf(kind) === documentType);
}

export function createRulesStore(tableName: string) {
  const cache = new Map<string, { at: number; rules: RuleSet }>();

  async function versionsOf(kind: RuleKind): Promise<unknown[]> {
    const documents: unknown[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await dynamoDb.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `RULES#${kind}` },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) documents.push(item.document);
      start = page.LastEvaluatedKey;
    } while (start);
    return documents;
  }

  async function load(kind: RuleKind, date: string) {
    const schema = ruleDocumentSchemas[kind];
    const documents = (await versionsOf(kind)).map((d) => schema.parse(d) as StoredDocument);
    const document = inForce(documents, date);
    if (!document) throw new RulesNotLoadedError(`no ${kind} document is in force on ${date}`);
    return document;
  }

  /** The complete rule set in force on `date` (YYYY-MM-DD). */
  async function ruleSetOn(date: string): Promise<RuleSet> {
    const cached = cache.get(date);
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.rules;
    const documents = await Promise.all(ruleKinds.map(async (kind) => [kind, await load(kind, date)] as const));
    const rules = Object.fromEntries(documents) as unknown as RuleSet;
    cache.set(date, { at: Date.now(), rules });
    return rules;
  }

  /** Stores a validated document; an existing version is never overwritten. */
  async function put(kind: RuleKind, document: unknown): Promise<'stored' | 'exists'> {
    const parsed = ruleDocumentSchemas[kind].parse(document) as StoredDocument;
    try {
      await dynamoDb.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: `RULES#${kind}`,
            sk: `V#${parsed.version}`,
            type: 'rules',
            kind,
            version: parsed.version,
            effectiveFrom: parsed.effectiveFrom,
            document: parsed,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return 'stored';
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return 'exists';
      throw error;
    }
  }

  /** One stored version of a kind, validated; undefined when no such version was loaded. */
  async function version(kind: RuleKind, versionId: string) {
    const result = await dynamoDb.send(
      new GetCommand({
        TableName: tableName,
        Key: { pk: `RULES#${kind}`, sk: `V#${versionId}` },
        ConsistentRead: true,
      }),
    );
    return result.Item ? ruleDocumentSchemas[kind].parse(result.Item.document) : undefined;
  }

  return { ruleSetOn, put, versionsOf, documentOn: load, version };
}

export type RulesStore = ReturnType<typeof createRulesStore>;
