import {
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { CreateKeyCommand, KMSClient, PutKeyPolicyCommand } from "@aws-sdk/client-kms";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import type { MotoServer } from "@restate-connect/testkit";

export interface SessionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

export interface AssumedSession {
  /** `arn:aws:sts::<account>:assumed-role/<role>/<session>` as STS reports it. */
  sessionArn: string;
  roleArn: string;
  credentials: SessionCredentials;
}

/**
 * A few IAM/KMS operations in one of moto's accounts, as an administrator would do them. With moto's
 * own credentials that is its default account, 123456789012; see {@link MotoAccount.of} for others.
 */
export class MotoAccount {
  readonly iam: IAMClient;
  readonly sts: STSClient;
  readonly kms: KMSClient;
  readonly moto: MotoServer;

  constructor(moto: MotoServer, credentials: SessionCredentials | MotoServer["credentials"] = moto.credentials) {
    this.moto = moto;
    const config = { endpoint: moto.endpoint, region: moto.region, credentials };
    this.iam = new IAMClient(config);
    this.sts = new STSClient(config);
    this.kms = new KMSClient(config);
  }

  async createRole(
    roleName: string,
    trustPolicy: unknown,
    inlinePolicies: Record<string, unknown> = {},
  ): Promise<string> {
    const role = await this.iam.send(
      new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(trustPolicy) }),
    );
    for (const [name, document] of Object.entries(inlinePolicies)) await this.putRolePolicy(roleName, name, document);
    return role.Role?.Arn ?? "";
  }

  async putRolePolicy(roleName: string, policyName: string, document: unknown): Promise<void> {
    await this.iam.send(
      new PutRolePolicyCommand({
        RoleName: roleName,
        PolicyName: policyName,
        PolicyDocument: JSON.stringify(document),
      }),
    );
  }

  async updateTrustPolicy(roleName: string, document: unknown): Promise<void> {
    await this.iam.send(
      new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: JSON.stringify(document) }),
    );
  }

  /**
   * Another account in the same moto server. moto keeps every account's resources apart and picks the
   * account from the credentials: `AssumeRole` on a role ARN of another account returns credentials of
   * that account (the role need not exist there), and whatever those credentials create lives there.
   */
  static async of(moto: MotoServer, accountId: string): Promise<MotoAccount> {
    const admin = await new MotoAccount(moto).assume(`arn:aws:iam::${accountId}:role/moto-admin`, "admin");
    const reported = admin.sessionArn.split(":")[4];
    if (reported !== accountId) throw new Error(`moto put the session in account ${reported}, not ${accountId}`);
    return new MotoAccount(moto, admin.credentials);
  }

  /** The role's trust policy as IAM stores it. */
  async trustPolicyOf(roleArn: string): Promise<unknown> {
    const roleName = roleArn.split("/").pop() ?? "";
    const role = await this.iam.send(new GetRoleCommand({ RoleName: roleName }));
    return JSON.parse(decodeURIComponent(role.Role?.AssumeRolePolicyDocument ?? "{}"));
  }

  /**
   * Assumes a role with this account's credentials (moto does not check the trust policy). A role of
   * another account yields credentials of that account.
   */
  async assume(roleArn: string, sessionName: string): Promise<AssumedSession> {
    const answer = await this.sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName }));
    const issued = answer.Credentials;
    if (!issued?.AccessKeyId || !issued.SecretAccessKey || !issued.SessionToken)
      throw new Error("moto issued no credentials");
    const credentials = {
      accessKeyId: issued.AccessKeyId,
      secretAccessKey: issued.SecretAccessKey,
      sessionToken: issued.SessionToken,
    };
    return { sessionArn: await this.whoIs(credentials), roleArn, credentials };
  }

  /** STS `GetCallerIdentity` made with the given credentials. */
  async whoIs(credentials: SessionCredentials): Promise<string> {
    const sts = new STSClient({ endpoint: this.moto.endpoint, region: this.moto.region, credentials });
    return (await sts.send(new GetCallerIdentityCommand({}))).Arn ?? "";
  }

  async createKey(keyPolicy: unknown): Promise<string> {
    const key = await this.kms.send(new CreateKeyCommand({ Description: "restate journal key" }));
    const keyId = key.KeyMetadata?.KeyId ?? "";
    await this.kms.send(
      new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: "default", Policy: JSON.stringify(keyPolicy) }),
    );
    return key.KeyMetadata?.Arn ?? "";
  }
}
