/** Where Keycloak listens inside the official image: HTTP and the management interface (health). */
export const CONTAINER_HTTP_PORT = 8080;
export const CONTAINER_MANAGEMENT_PORT = 9000;

/** The engine's port bindings for both, on `host` (empty: every interface), each on a free port. */
export function publishedPorts(host: string) {
  const binding = [{ HostIp: host, HostPort: '' }];
  return {
    ExposedPorts: { [`${CONTAINER_HTTP_PORT}/tcp`]: {}, [`${CONTAINER_MANAGEMENT_PORT}/tcp`]: {} },
    PortBindings: { [`${CONTAINER_HTTP_PORT}/tcp`]: binding, [`${CONTAINER_MANAGEMENT_PORT}/tcp`]: binding },
  };
}
