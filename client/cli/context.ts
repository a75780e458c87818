// What every command connects to, made on first use: the cluster (KUBECONFIG, else ~/.kube/config, else the
// local environment's .localenv/env) and Temporal (TEMPORAL_ADDRESS and friends). Closed when the command ends.
import { Client, Connection } from '@temporalio/client';
import { loadLocalEnvDefaults } from '../../platform/env.ts';
import { connectKube, type Kube } from '../../platform/kube.ts';
import { connectionOptions, temporalSettings, workflowUrl, type TemporalSettings } from '../../platform/temporal.ts';

export class Context {
  private kubeValue?: Kube;
  private connection?: Connection;
  private clientValue?: Client;
  readonly temporal: TemporalSettings;

  constructor() {
    loadLocalEnvDefaults();
    this.temporal = temporalSettings();
  }

  get kube(): Kube {
    return (this.kubeValue ??= connectKube());
  }

  /** -n, else the namespace of the kubeconfig's current context, else "default" (as kubectl). */
  namespace(flag: string | undefined): string {
    if (flag) return flag;
    const context = this.kube.config.getContextObject(this.kube.config.getCurrentContext());
    return context?.namespace || 'default';
  }

  async client(): Promise<Client> {
    if (!this.clientValue) {
      this.connection = await Connection.connect({ ...connectionOptions(this.temporal), connectTimeout: '5s' });
      this.clientValue = new Client({ connection: this.connection, namespace: this.temporal.namespace });
    }
    return this.clientValue;
  }

  /** The run's page in Temporal Web, when TEMPORAL_UI_URL is known. */
  link(workflowId: string, runId?: string): string | undefined {
    return workflowUrl(this.temporal, workflowId, runId);
  }

  async close(): Promise<void> {
    await this.connection?.close();
  }
}
