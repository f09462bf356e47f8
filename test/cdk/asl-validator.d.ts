/** Types for asl-validator, which ships none (it is installed as a dependency of aws-local-stepfunctions). */
declare module 'asl-validator' {
  interface AslValidationResult {
    isValid: boolean;
    /** ajv schema errors carry `message`; the validator's own checks carry `Error code` and `Message`. */
    errors: { message?: string; 'Error code'?: string; Message?: string; instancePath?: string }[];
    errorsText(separator?: string): string;
  }
  function aslValidator(definition: unknown, options?: { checkPaths: boolean; checkArn: boolean }): AslValidationResult;
  export default aslValidator;
}
