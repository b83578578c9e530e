/** A state machine definition in the Amazon States Language, as JSON. */
export type AslDefinition = { StartAt: string; States: Record<string, unknown>; [field: string]: unknown };

/** Thrown when a template's state machine definition cannot be turned into plain ASL. */
export class AslExtractionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AslExtractionError';
  }
}

interface TemplateResource {
  Type: string;
  Properties?: { DefinitionString?: unknown };
}

/**
 * The plain ASL of the synthesized template's state machine. CloudFormation assembles the
 * definition with `Fn::Join`; each `Ref` becomes `<LogicalId>` and each `Fn::GetAtt` becomes
 * `<LogicalId.Attribute>` (cdk-nag's notation), placeholders safe inside JSON strings and
 * States.Format alike. Anything else is refused: it would not read back as the deployed value.
 */
export function stateMachineAsl(template: { Resources?: Record<string, TemplateResource> }): AslDefinition {
  const machines = Object.entries(template.Resources ?? {}).filter(([, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) throw new AslExtractionError(`expected one AWS::StepFunctions::StateMachine in the template, found ${machines.length}`);
  const [logicalId, machine] = machines[0]!;
  const definition = machine.Properties?.DefinitionString;
  const text = typeof definition === 'string' ? definition : joinParts(logicalId, definition);
  try {
    return JSON.parse(text) as AslDefinition;
  } catch (error) {
    throw new AslExtractionError(`${logicalId}: the joined DefinitionString is not JSON: ${(error as Error).message}`);
  }
}

function joinParts(logicalId: string, definition: unknown): string {
  const join = (definition as { 'Fn::Join'?: unknown } | undefined)?.['Fn::Join'];
  if (!Array.isArray(join) || join[0] !== '' || !Array.isArray(join[1])) {
    throw new AslExtractionError(`${logicalId}: DefinitionString is neither a string nor {"Fn::Join": ["", [...]]}`);
  }
  return (join[1] as unknown[]).map((part, index) => placeholder(part, `${logicalId} DefinitionString part ${index}`)).join('');
}

function placeholder(part: unknown, where: string): string {
  if (typeof part === 'string') return part;
  if (part !== null && typeof part === 'object') {
    const { Ref: ref, 'Fn::GetAtt': getAtt } = part as { Ref?: unknown; 'Fn::GetAtt'?: unknown };
    if (typeof ref === 'string') return `<${ref}>`;
    if (Array.isArray(getAtt) && getAtt.length === 2 && getAtt.every((s) => typeof s === 'string')) return `<${getAtt[0]}.${getAtt[1]}>`;
  }
  throw new AslExtractionError(`${where}: ${JSON.stringify(part)} is not a string, Ref or Fn::GetAtt`);
}
