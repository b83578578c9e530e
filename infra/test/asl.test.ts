import { describe, expect, it } from 'vitest';
import { AslExtractionError, stateMachineAsl } from '../src/asl';

const machine = (definition: unknown) => ({ Resources: { Bucket: { Type: 'AWS::S3::Bucket' }, Machine: { Type: 'AWS::StepFunctions::StateMachine', Properties: { DefinitionString: definition } } } });

describe('stateMachineAsl', () => {
  it('joins Fn::Join parts with <LogicalId> and <LogicalId.Attribute> placeholders', () => {
    const definition = {
      'Fn::Join': [
        '',
        [
          '{"StartAt":"A","States":{"A":{"Type":"Task","Resource":"',
          { 'Fn::GetAtt': ['ExtractFunction', 'Arn'] },
          '","Parameters":{"Out.$":"States.Format(\'s3://',
          { Ref: 'DataBucket' },
          '/{}\', $.x)","Image":"',
          { 'Fn::GetAtt': ['TrainerRepository', 'RepositoryUri'] },
          ':1","Partition":"',
          { Ref: 'AWS::Partition' },
          '"},"End":true}}}',
        ],
      ],
    };
    expect(stateMachineAsl(machine(definition))).toEqual({
      StartAt: 'A',
      States: {
        A: {
          Type: 'Task',
          Resource: '<ExtractFunction.Arn>',
          Parameters: { 'Out.$': "States.Format('s3://<DataBucket>/{}', $.x)", Image: '<TrainerRepository.RepositoryUri>:1', Partition: '<AWS::Partition>' },
          End: true,
        },
      },
    });
  });

  it('takes a definition that is already a plain string', () => {
    expect(stateMachineAsl(machine('{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}')).StartAt).toBe('P');
  });

  it('refuses intrinsics it cannot show as a placeholder, naming the part', () => {
    const definition = { 'Fn::Join': ['', ['{"x":"', { 'Fn::Select': [0, { 'Fn::Split': [':', 'a:b'] }] }, '"}']] };
    expect(() => stateMachineAsl(machine(definition))).toThrow(AslExtractionError);
    expect(() => stateMachineAsl(machine(definition))).toThrow(/Machine DefinitionString part 1: \{"Fn::Select"/);
  });

  it('refuses a template without exactly one state machine, or a definition that is not JSON', () => {
    expect(() => stateMachineAsl({ Resources: {} })).toThrow(/found 0/);
    expect(() => stateMachineAsl(machine({ 'Fn::Join': ['', ['{"StartAt":', { Ref: 'X' }, '}']] }))).toThrow(/not JSON/);
    expect(() => stateMachineAsl(machine({ 'Fn::Sub': 'x' }))).toThrow(/neither a string nor/);
  });
});
