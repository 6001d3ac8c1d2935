// Every connection the Kubernetes client opens for one owner, so the owner can
// end them all when it stops. client-node makes a fresh http(s) Agent per
// request (applyToFetchOptions for watches, applySecurityAuthentication for API
// clients), and a watch cannot be aborted until its response headers arrive: a
// proxy or a stalled API server that holds them back would keep the request,
// its socket and so the process alive. Each agent's sockets are tracked from
// creation to close, so ending them all ends every request under way.
// Type imports only: the client itself is loaded where a cluster is used.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Agent } from 'node:http';
import type { Duplex } from 'node:stream';

export interface ClientConnections {
  /** The same configuration; requests made through it are tracked. */
  readonly kubeConfig: KubeConfig;
  /** Ends every tracked socket (and so its request); later requests fail before sending. */
  closeAll(): void;
}

type SecurityContext = Parameters<KubeConfig['applySecurityAuthentication']>[0];

export function trackConnections(kubeConfig: KubeConfig): ClientConnections {
  const sockets = new Set<Duplex>();
  let closed = false;
  const track = (agent: unknown): void => {
    if (!agent || typeof (agent as Partial<Agent>).createConnection !== 'function') return;
    const tracked = agent as Agent;
    const create = tracked.createConnection.bind(tracked);
    tracked.createConnection = (options, callback) => {
      const socket = create(options, callback);
      if (!socket) return socket;
      // Without an error: the request has no listener yet, and reports the hang-up itself.
      if (closed) socket.destroy();
      else {
        sockets.add(socket);
        socket.once('close', () => sockets.delete(socket));
      }
      return socket;
    };
  };
  // Delegates everything else to the loaded configuration (clusters, users, authenticators).
  const tracked = Object.create(kubeConfig) as KubeConfig;
  tracked.applyToFetchOptions = async (options) => {
    const init = await kubeConfig.applyToFetchOptions.call(tracked, options);
    track(init.agent);
    return init;
  };
  tracked.applySecurityAuthentication = async (context: SecurityContext) => {
    await kubeConfig.applySecurityAuthentication.call(tracked, context);
    track(context.getAgent());
  };
  return {
    kubeConfig: tracked,
    closeAll() {
      closed = true;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
  };
}
