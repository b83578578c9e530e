import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { cdkJsonContext, createApp } from '../src/app';
import { PipelineSettingsError } from '../src/settings';

// A source database in private subnets: lambda-extract goes into its VPC (synthesized once, checks on).
const network = {
  sourceVpcId: 'vpc-0a1b2c3d4e5f60718',
  sourceSubnetIds: 'subnet-0aaaaaaaaaaaaaaa1, subnet-0bbbbbbbbbbbbbbb2',
  sourceSecurityGroupIds: '["sg-0ccccccccccccccc3"]',
};
let app: ReturnType<typeof createApp>['app'];
let template: Template;

beforeAll(() => {
  const created = createApp({ context: { ...cdkJsonContext(), ...network } });
  app = created.app;
  // Throws on any unacknowledged cdk-nag or CloudFormation finding.
  app.synth();
  template = Template.fromStack(created.stack);
});

const vpcAccessPolicy = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole']] };

describe('lambda-extract in the source database VPC', () => {
  it('attaches only lambda-extract to the given subnets and security groups', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    expect(functions.ExtractFunction!.Properties.VpcConfig).toEqual({
      SubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'],
      SecurityGroupIds: ['sg-0ccccccccccccccc3'],
    });
    expect(functions.BatchFunction!.Properties.VpcConfig).toBeUndefined();
    expect(functions.DynamoFunction!.Properties.VpcConfig).toBeUndefined();
  });

  it('creates no network resources and changes no security group rules', () => {
    for (const type of ['AWS::EC2::VPC', 'AWS::EC2::Subnet', 'AWS::EC2::SecurityGroup', 'AWS::EC2::SecurityGroupIngress', 'AWS::EC2::SecurityGroupEgress', 'AWS::EC2::VPCEndpoint']) {
      template.resourceCountIs(type, 0);
    }
  });

  it("gives the function's role Lambda's VPC access policy, acknowledged with a reason", () => {
    const roles = template.findResources('AWS::IAM::Role');
    expect(roles.ExtractFunctionRole!.Properties.ManagedPolicyArns).toEqual([vpcAccessPolicy]);
    expect(roles.BatchFunctionRole!.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations).toEqual([]);
    expect(report.success).toBe(true);
  });
});

describe('without the VPC settings', () => {
  it('leaves every function outside any VPC, with no managed policy', () => {
    const { app: plain, stack } = createApp({ context: cdkJsonContext(), checks: false });
    plain.synth();
    const unset = Template.fromStack(stack);
    for (const fn of Object.values(unset.findResources('AWS::Lambda::Function'))) expect(fn.Properties.VpcConfig).toBeUndefined();
    for (const role of Object.values(unset.findResources('AWS::IAM::Role'))) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });
});

describe('bad VPC settings stop synthesis naming the key', () => {
  it.each([
    [{ sourceVpcId: network.sourceVpcId }, /"sourceSubnetIds" = undefined: .*sourceVpcId given, sourceSubnetIds, sourceSecurityGroupIds missing/],
    [{ ...network, sourceSecurityGroupIds: undefined }, /"sourceSecurityGroupIds" = undefined: placing lambda-extract in the source database's VPC takes/],
    [{ ...network, sourceVpcId: 'my-vpc' }, /"sourceVpcId" = "my-vpc": a VPC id/],
    [{ ...network, sourceSubnetIds: 'subnet-0aaaaaaaaaaaaaaa1,sg-0ccccccccccccccc3' }, /"sourceSubnetIds.1" = .*: a subnet id/],
    [{ ...network, sourceSubnetIds: '[]' }, /"sourceSubnetIds" = "\[\]": at least one subnet id/],
    [{ ...network, sourceSecurityGroupIds: 'sg-1,sg-2' }, /"sourceSecurityGroupIds.0" = .*: a security group id/],
  ])('%j', (settings, message) => {
    const build = () => createApp({ context: { ...cdkJsonContext(), ...settings }, checks: false });
    expect(build).toThrow(PipelineSettingsError);
    expect(build).toThrow(message);
  });
});
