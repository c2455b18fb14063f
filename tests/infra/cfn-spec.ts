// Checks synthesized resources against the CloudFormation resource specification AWS ships for the CDK (@aws-cdk/aws-service-spec).
import { loadAwsServiceSpecSync } from "@aws-cdk/aws-service-spec";
import type { Property, PropertyType } from "@aws-cdk/service-spec-types";
import type { CfnResource } from "./cfn";

type SpecDatabase = ReturnType<typeof loadAwsServiceSpecSync>;
let db: SpecDatabase | undefined;
const spec = () => (db ??= loadAwsServiceSpecSync());

/**
 * The spec carries types, not enum values, so the values we set that CloudFormation would refuse
 * at deploy time (not at synth) are listed here from the CloudFormation reference: a wrong one
 * is a failed deploy that no other check catches. Keyed "Type.Property" (nested with ".").
 */
const ENUMS: Record<string, readonly string[]> = {
  "AWS::Lambda::Function.Runtime": ["nodejs20.x", "nodejs22.x"],
  "AWS::Lambda::Function.Architectures": ["arm64", "x86_64"],
  "AWS::Lambda::Function.TracingConfig.Mode": ["Active", "PassThrough"],
  "AWS::CloudWatch::Alarm.ComparisonOperator": [
    "GreaterThanOrEqualToThreshold",
    "GreaterThanThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
    "LessThanLowerOrGreaterThanUpperThreshold",
    "LessThanLowerThreshold",
    "GreaterThanUpperThreshold",
  ],
  "AWS::CloudWatch::Alarm.TreatMissingData": ["breaching", "notBreaching", "ignore", "missing"],
  "AWS::CloudWatch::Alarm.Statistic": ["SampleCount", "Average", "Sum", "Minimum", "Maximum"],
  "AWS::RDS::DBProxy.EngineFamily": ["MYSQL", "POSTGRESQL", "SQLSERVER"],
  "AWS::RDS::DBProxy.DefaultAuthScheme": ["IAM_AUTH", "NONE"],
  "AWS::RDS::DBProxy.Auth.AuthScheme": ["SECRETS"],
  "AWS::RDS::DBProxy.Auth.IAMAuth": ["DISABLED", "REQUIRED", "ENABLED"],
  "AWS::ApiGatewayV2::Route.AuthorizationType": ["NONE", "AWS_IAM", "CUSTOM", "JWT"],
  "AWS::ApiGatewayV2::Integration.IntegrationType": ["AWS", "AWS_PROXY", "HTTP", "HTTP_PROXY", "MOCK"],
  "AWS::Cognito::UserPool.MfaConfiguration": ["OFF", "ON", "OPTIONAL"],
  "AWS::Cognito::UserPool.EmailConfiguration.EmailSendingAccount": ["COGNITO_DEFAULT", "DEVELOPER"],
  "AWS::Cognito::UserPoolClient.AllowedOAuthFlows": ["code", "implicit", "client_credentials"],
  "AWS::EC2::FlowLog.TrafficType": ["ACCEPT", "REJECT", "ALL"],
  "AWS::EC2::VPCEndpoint.VpcEndpointType": ["Interface", "Gateway", "GatewayLoadBalancer", "Resource", "ServiceNetwork"],
};

const isIntrinsic = (v: unknown): boolean =>
  typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && /^(Ref|Fn::.+)$/.test(Object.keys(v)[0]!);

/** Problems with one resource, as "Type.Path: what"; empty when the spec accepts it. */
export function validateResource(resource: CfnResource): string[] {
  const type = resource.Type;
  // Custom resources take whatever their handler reads; CloudFormation only needs the token.
  if (type.startsWith("Custom::") || type === "AWS::CloudFormation::CustomResource") {
    return typeof resource.Properties?.ServiceToken === "undefined" ? [`${type}: no ServiceToken`] : [];
  }
  const found = spec().lookup("resource", "cloudFormationType", "equals", type);
  if (found.length !== 1) return [`${type}: not a resource type in the CloudFormation specification`];
  const problems: string[] = [];

  const checkObject = (path: string, value: unknown, props: Record<string, Property>) => {
    if (isIntrinsic(value)) return;
    if (typeof value !== "object" || value === null || Array.isArray(value)) return void problems.push(`${path}: expected an object`);
    for (const [name, prop] of Object.entries(props)) {
      if (prop.required && !(name in value)) problems.push(`${path}.${name}: required, missing`);
    }
    for (const [name, v] of Object.entries(value)) {
      const prop = props[name];
      if (!prop) problems.push(`${path}.${name}: not a property of ${path}`);
      else checkValue(`${path}.${name}`, v, [prop.type, ...(prop.previousTypes ?? [])]);
    }
  };

  const matches = (path: string, value: unknown, t: PropertyType): string[] => {
    if (isIntrinsic(value)) return [];
    const local: string[] = [];
    const push = (m: string) => local.push(m);
    switch (t.type) {
      case "string":
      case "date-time":
        if (typeof value !== "string") push(`${path}: expected a string, got ${JSON.stringify(value)}`);
        break;
      case "number":
      case "integer":
        if (typeof value !== "number" && !(typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value)))
          push(`${path}: expected a number, got ${JSON.stringify(value)}`);
        else if (t.type === "integer" && !Number.isInteger(Number(value))) push(`${path}: expected an integer, got ${value}`);
        break;
      case "boolean":
        if (typeof value !== "boolean" && value !== "true" && value !== "false")
          push(`${path}: expected a boolean, got ${JSON.stringify(value)}`);
        break;
      case "json":
        break;
      case "null":
        if (value !== null) push(`${path}: expected null`);
        break;
      case "tag":
        if (typeof value !== "object" || value === null || !("Key" in value) || !("Value" in value))
          push(`${path}: expected a {Key, Value} tag`);
        break;
      case "array":
        if (!Array.isArray(value)) push(`${path}: expected a list`);
        else value.forEach((v, i) => local.push(...matches(`${path}[${i}]`, v, t.element)));
        break;
      case "map":
        if (typeof value !== "object" || value === null || Array.isArray(value)) push(`${path}: expected a map`);
        else for (const [k, v] of Object.entries(value)) local.push(...matches(`${path}.${k}`, v, t.element));
        break;
      case "ref": {
        const def = spec().get("typeDefinition", t.reference.$ref);
        if (!def) break;
        const start = problems.length;
        checkObject(path, value, def.properties);
        local.push(...problems.splice(start));
        break;
      }
      case "union": {
        const attempts = t.types.map((u) => matches(path, value, u));
        if (!attempts.some((a) => a.length === 0)) local.push(...attempts.sort((a, b) => a.length - b.length)[0]!);
        break;
      }
    }
    return local;
  };

  function checkValue(path: string, value: unknown, types: PropertyType[]) {
    const attempts = types.map((t) => matches(path, value, t));
    if (!attempts.some((a) => a.length === 0)) problems.push(...attempts[0]!);
    const allowed = ENUMS[path.replace(/\[\d+\]/g, "")];
    if (allowed && !isIntrinsic(value)) {
      for (const v of [value].flat())
        if (typeof v === "string" && !allowed.includes(v)) problems.push(`${path}: "${v}" is not one of ${allowed.join(", ")}`);
    }
  }

  checkObject(type, resource.Properties ?? {}, found[0]!.properties);
  return problems;
}
