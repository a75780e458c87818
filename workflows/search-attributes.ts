// Typed search attributes every opsflow run carries, so Temporal Web can list "all operations on database X"
// (e.g. `OpsDatabase = "MySQL/demo/my-db"`). The local environment registers them with the dev server.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const opsDatabase = defineSearchAttributeKey('OpsDatabase', SearchAttributeType.KEYWORD);
export const opsRequest = defineSearchAttributeKey('OpsRequest', SearchAttributeType.KEYWORD);
export const opsType = defineSearchAttributeKey('OpsType', SearchAttributeType.KEYWORD);
export const opsPhase = defineSearchAttributeKey('OpsPhase', SearchAttributeType.KEYWORD);

export const allSearchAttributes = [opsDatabase, opsRequest, opsType, opsPhase];
