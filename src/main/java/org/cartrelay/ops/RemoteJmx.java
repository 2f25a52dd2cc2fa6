package org.cartrelay.ops;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.RMIServerSocketFactory;
import java.rmi.server.UnicastRemoteObject;
import java.util.Map;
import java.util.Set;
import javax.management.remote.JMXAuthenticator;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXPrincipal;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;
import javax.security.auth.Subject;

import org.cartrelay.config.CartRelayProperties;
import org.cartrelay.config.ConfigurationProblem;
import org.cartrelay.support.Digests;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

/**
 * Remote JMX, off unless {@code cartrelay.jmx.remote.port} is set, and then only with the credentials
 * {@code cartrelay.jmx.remote.username} / {@code password}. Registry and connector share the one port and bind to
 * {@code cartrelay.jmx.remote.host} (loopback by default). URL:
 * {@code service:jmx:rmi:///jndi/rmi://HOST:PORT/jmxrmi}.
 */
@Component
public class RemoteJmx implements InitializingBean, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(RemoteJmx.class);

    private final Integer port;
    private final String host;
    private final String username;
    private final String password;
    private Registry registry;
    private JMXConnectorServer server;

    public RemoteJmx(CartRelayProperties properties) {
        CartRelayProperties.Jmx.Remote remote = properties.jmx().remote();
        this.port = remote.port();
        this.host = remote.host();
        this.username = remote.username() == null ? "" : remote.username();
        this.password = remote.password() == null ? "" : remote.password();
    }

    @Override
    public void afterPropertiesSet() throws IOException {
        if (port == null) {
            return;
        }
        if (username.isBlank() || password.isBlank()) {
            throw new CredentialsMissing();
        }
        InetAddress address = InetAddress.getByName(host);
        RMIServerSocketFactory sockets = new BoundSocketFactory(address);
        registry = LocateRegistry.createRegistry(port, null, sockets);
        JMXServiceURL url = new JMXServiceURL(
                "service:jmx:rmi://" + host + ":" + port + "/jndi/rmi://" + host + ":" + port + "/jmxrmi");
        server = JMXConnectorServerFactory.newJMXConnectorServer(
                url,
                Map.of(
                        JMXConnectorServer.AUTHENTICATOR,
                        (JMXAuthenticator) this::authenticate,
                        RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE,
                        sockets),
                ManagementFactory.getPlatformMBeanServer());
        server.start();
        log.info("Remote JMX listening on {}:{} (service:jmx:rmi:///jndi/rmi://{}:{}/jmxrmi)", host, port, host, port);
    }

    private Subject authenticate(Object credentials) {
        if (credentials instanceof String[] pair && pair.length == 2 && pair[0] != null && pair[1] != null) {
            boolean user = Digests.sameSecret(username, pair[0]);
            boolean pass = Digests.sameSecret(password, pair[1]);
            if (user & pass) {
                return new Subject(true, Set.of(new JMXPrincipal(pair[0])), Set.of(), Set.of());
            }
        }
        throw new SecurityException("Remote JMX needs the configured username and password.");
    }

    @Override
    public void destroy() throws IOException {
        if (server != null) {
            server.stop();
        }
        if (registry != null) {
            UnicastRemoteObject.unexportObject(registry, true);
        }
    }

    /** Remote JMX asked for without its credentials: the hub does not start. */
    public static final class CredentialsMissing extends ConfigurationProblem {

        CredentialsMissing() {
            super(
                    "cartrelay.jmx.remote.port is set, so cartrelay.jmx.remote.username and "
                            + "cartrelay.jmx.remote.password must be set too: remote JMX never runs without "
                            + "credentials.",
                    "Set CARTRELAY_JMX_REMOTE_USERNAME and CARTRELAY_JMX_REMOTE_PASSWORD (or the properties "
                            + "cartrelay.jmx.remote.username and cartrelay.jmx.remote.password), or unset "
                            + "CARTRELAY_JMX_REMOTE_PORT to keep remote JMX off.");
        }
    }

    private record BoundSocketFactory(InetAddress address) implements RMIServerSocketFactory {
        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            return new ServerSocket(port, 50, address);
        }
    }
}
