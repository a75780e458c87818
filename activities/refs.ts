// How activities name the objects they act on: plain JSON, so it travels through workflow history.
import type { DatabaseKind, OpsRequestKind } from '../model/profiles.ts';

export interface OpsRequestRef {
  kind: OpsRequestKind;
  namespace: string;
  name: string;
}

export interface DatabaseRef {
  kind: DatabaseKind;
  namespace: string;
  name: string;
}
