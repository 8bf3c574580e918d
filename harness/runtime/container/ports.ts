/** Where Keycloak listens inside the official image: HTTP (or HTTPS with tls) and the management interface (health). */
export const CONTAINER_HTTP_PORT = 8080;
export const CONTAINER_HTTPS_PORT = 8443;
export const CONTAINER_MANAGEMENT_PORT = 9000;

/** The engine's port bindings for the web port and management, on `host` (empty: every interface), each on a free port. */
export function publishedPorts(host: string, webPort = CONTAINER_HTTP_PORT) {
  const binding = [{ HostIp: host, HostPort: '' }];
  return {
    ExposedPorts: { [`${webPort}/tcp`]: {}, [`${CONTAINER_MANAGEMENT_PORT}/tcp`]: {} },
    PortBindings: { [`${webPort}/tcp`]: binding, [`${CONTAINER_MANAGEMENT_PORT}/tcp`]: binding },
  };
}
