// A plan: what one OpsRequest will do, as plain data. The planner (model/planner.ts) makes it from facts read
// first; the workflow executes any plan one step at a time, and `opsflow plan` prints the same plan as a dry
// run. Every step names the KubeDB condition it records and, where it changes something, the step that puts
// it back (a step of the same kinds, aimed at the state before), so compensation is just more steps.
import type { DatabaseKind } from './profiles.ts';
import type { Certificate } from './types.ts';
import type { TLSLayout } from './tls-layout.ts';

export interface StepBase {
  /** The KubeDB condition type the step records on the OpsRequest. */
  condition: string;
  /** What progress, Temporal Web and errors call it. */
  label: string;
}

/** A Certificate to create, change or delete (with the Secret cert-manager wrote for it). */
export type CertificateChange =
  | { action: 'create'; certificate: Certificate }
  | { action: 'update'; name: string; spec: Certificate['spec'] }
  | { action: 'delete'; name: string; secretName: string };

/** What the pre-flight check asks of one Secret the pods will mount. */
export interface SecretCheck {
  secretName: string;
  alias: string;
  /** Extended key usages the kind needs of this certificate (`server auth`, `client auth`). */
  usages: string[];
  /** DNS names or IPs the certificate must cover (the names clients use); empty for client certificates. */
  names: string[];
  /** cert-manager renews this long before expiry: a certificate valid for less than that is renewed at once. */
  renewBeforeMs?: number;
}

export interface WorkloadRef {
  kind: 'StatefulSet' | 'PetSet';
  name: string;
}

/** The fields of the database spec a step sets, each whole; null removes a field. */
export type DatabaseSpecPatch = Record<string, unknown>;

/** One table of a ProxySQL's admin interface, changed as a Reconfigure asks (rows never carry passwords). */
export type ProxySQLPart =
  | { table: 'mysqlUsers'; reqType: 'add' | 'update' | 'delete'; rows: Record<string, string | number>[] }
  | { table: 'mysqlQueryRules'; reqType: 'add' | 'update' | 'delete'; rows: Record<string, string | number>[] }
  | { table: 'mysqlVariables' | 'adminVariables'; values: Record<string, string> };

export type ProxySQLTable = ProxySQLPart['table'];

export interface ServingCheck {
  protocol: 'mysql' | 'postgres';
  port: number;
  /** The Secret whose certificate the pod must serve (chained to its ca.crt); undefined: the pod must serve without TLS. */
  secretName?: string;
}

export interface PlannedPod {
  pod: string;
  role?: string;
}

export type Step = StepBase &
  (
    | { kind: 'waitReady' }
    | { kind: 'pause' }
    | { kind: 'resume' }
    | { kind: 'setCertificates'; changes: CertificateChange[] }
    | {
        kind: 'issueCertificates';
        /** `trigger`: re-issue now, as `cmctl renew` does; otherwise wait for cert-manager to issue the current spec. */
        certificates: { name: string; trigger: boolean }[];
      }
    | { kind: 'checkCertificates'; secrets: SecretCheck[] }
    | {
        kind: 'updateWorkload';
        workload: WorkloadRef;
        tls: TLSLayout;
        /** The rendered configuration the pods must load (see config-hash.ts); undefined leaves it as it is. */
        configHash?: string | null;
      }
    | { kind: 'updateConfig'; secretName: string; tls: TLSLayout }
    | { kind: 'updateDatabase'; patch: DatabaseSpecPatch }
    | {
        kind: 'restartPods';
        /**
         * Which pods need a restart: those not on the workload's newest revision, and with `certificates`
         * those created before the certificates their Secrets now hold were issued. Decided again before each
         * pod (roles move), so a retried or re-applied request never restarts a pod twice.
         */
        certificates: boolean;
        /** The order as the facts stand now, for the dry run; the run re-reads roles before each pod. */
        expected: PlannedPod[];
        /** Admin changes made on each pod before it restarts and after it is back (ProxySQL's mysql-have_ssl), each saved to disk. */
        adminBefore?: ProxySQLPart[];
        adminAfter?: ProxySQLPart[];
        /** What each restarted pod must serve, checked by connecting to it: its certificate, or no TLS. */
        verify?: ServingCheck;
        /** Why the pods restart although the request asked otherwise (an in-place rotation a kind cannot do), recorded as condition InPlaceRotation. */
        note?: string;
      }
    | { kind: 'deleteCertificates'; certificates: { name: string; secretName: string }[] }
    /** A rotation without restarts: each pod, in the kind's order, reloads its certificates once its mounted files hold the new ones, then is checked. */
    | { kind: 'reloadTLS'; how: 'mysql' | 'proxysql'; pods: PlannedPod[]; verify: ServingCheck }
    /** Changes one table of one ProxySQL pod in memory and loads it to runtime (not yet to disk), then reads runtime back. */
    | { kind: 'configureProxySQL'; pod: string; part: ProxySQLPart }
    /** Puts a table of a ProxySQL pod back to what its disk holds (the state before the request). */
    | { kind: 'revertProxySQL'; pod: string; table: ProxySQLTable }
    /** Saves the tables to disk on each pod: from here on the change stays. */
    | { kind: 'saveProxySQL'; pods: string[]; tables: ProxySQLTable[] }
    /**
     * Writes the Secret of an applyConfig: the OpsRequest's `files` merged over the files of `base` (null: none),
     * which must come out as `hash` (what the plan saw). Only names are in the plan: a configuration may hold
     * passwords, so the activity reads the contents from the OpsRequest and the Secret.
     */
    | { kind: 'createConfigSecret'; secretName: string; base: string | null; files: string[]; hash: string }
    /** Deletes the Secret this request's applyConfig wrote (the undo of createConfigSecret): labelled with it and holding `hash`. */
    | { kind: 'deleteConfigSecret'; secretName: string; hash: string }
    /** Mounts the custom configuration Secret (null: none) in the pod template, with `hash` of what the pods load. */
    | { kind: 'setCustomConfig'; workload: WorkloadRef; secretName: string | null; hash: string | null }
    /**
     * Renders Pgpool's pgpool.conf into `secretName` from the custom configuration Secret `custom` (null: the
     * defaults) and the TLS layout; the rendered files must hash to `hash` (what the plan saw; null: unchecked, for the undo).
     */
    | { kind: 'renderPgpoolConfig'; secretName: string; custom: string | null; tls: TLSLayout; hash: string | null }
  );

export type StepKind = Step['kind'];
export type StepOf<K extends StepKind> = Extract<Step, { kind: K }>;

/** The kinds of step that can put something back. */
export type UndoStep = StepOf<'resume' | 'setCertificates' | 'updateWorkload' | 'updateConfig' | 'updateDatabase' | 'revertProxySQL' | 'deleteConfigSecret' | 'setCustomConfig' | 'renderPgpoolConfig'>;

export interface PlannedStep {
  step: Step;
  /** Puts back what `step` changed; pushed before the step runs, so a change that landed although the step failed is undone too. */
  undo?: UndoStep;
}

export interface Plan {
  database: { kind: DatabaseKind; namespace: string; name: string };
  /** One line: what the request does, e.g. "add TLS (issuer Issuer/my-issuer)". */
  summary: string;
  steps: PlannedStep[];
  /** The OpsRequest's type: its condition opens the run (KubeDB writes it when it starts). */
  type: 'ReconfigureTLS' | 'Reconfigure';
  /** The message of the `Successful` condition that closes the run. */
  done: { message: string };
}

export type PlanOutcome = { ok: true; plan: Plan } | { ok: false; field: string; message: string };
