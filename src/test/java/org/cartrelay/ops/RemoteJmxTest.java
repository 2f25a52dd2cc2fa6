package org.cartrelay.ops;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import org.cartrelay.config.ConfigurationProblemFailureAnalyzer;
import org.cartrelay.testing.Notices;
import org.cartrelay.testing.TestDatabase;
import org.cartrelay.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;

/**
 * An operator's JMX console over a real remote connector: credentials are required, the connector and hub MBeans
 * show their figures, and pause(), resume() and replayDeadLetters() act on deliveries. Camel's route MBeans sit
 * beside them under readable route ids. Without credentials remote JMX does not run, and neither does the hub.
 */
@ExtendWith(OutputCaptureExtension.class)
class RemoteJmxTest {

    @Test
    void anOperatorPausesResumesAndReplaysOverRemoteJmx() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        WireMockServer receiver =
                new WireMockServer(WireMockConfiguration.options().dynamicPort());
        receiver.start();
        receiver.stubFor(post(urlEqualTo("/in")).willReturn(aResponse().withStatus(200)));
        try (TestDatabase database = TestDatabase.create();
                TestHub hub = TestHub.on(database)
                        .property("cartrelay.abandonment.delay", "0s")
                        .property("camel.main.jmx-enabled", "true")
                        .property("cartrelay.jmx.remote.port", port)
                        .property("cartrelay.jmx.remote.username", "operator")
                        .property("cartrelay.jmx.remote.password", "jmx-pass-1")
                        .connector("crm", """
                                type: webhook
                                endpoint: http://127.0.0.1:%d/in
                                retry: {maxAttempts: 2, initialDelay: 100ms, maxDelay: 1s}
                                """.formatted(receiver.port()))
                        .start()) {
            JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
            assertThatThrownBy(() -> JMXConnectorFactory.connect(
                                    url, Map.of(JMXConnector.CREDENTIALS, new String[] {"operator", "wrong"}))
                            .close())
                    .isInstanceOf(SecurityException.class);
            assertThatThrownBy(() -> JMXConnectorFactory.connect(url).close()).isInstanceOf(SecurityException.class);

            try (JMXConnector connector = JMXConnectorFactory.connect(
                    url, Map.of(JMXConnector.CREDENTIALS, new String[] {"operator", "jmx-pass-1"}))) {
                MBeanServerConnection jmx = connector.getMBeanServerConnection();
                ObjectName crm = new ObjectName("cartrelay:type=Connector,name=crm");
                ObjectName hubBean = new ObjectName("cartrelay:type=Hub");
                assertThat(jmx.getAttribute(crm, "CircuitState")).isEqualTo("CLOSED");
                assertThat(jmx.queryNames(new ObjectName("org.apache.camel:type=routes,*"), null))
                        .anyMatch(name -> name.getKeyProperty("name").contains("deliver-webhook-crm"));

                jmx.invoke(crm, "pause", null, null);
                assertThat(jmx.getAttribute(crm, "Paused")).isEqualTo(true);
                Notices.startCheckouts(hub, "jmx", 2);
                await().atMost(Duration.ofSeconds(10)).until(() -> (long) jmx.getAttribute(crm, "PendingStored") == 2);
                assertThat(receiver.findAll(postRequestedFor(urlEqualTo("/in"))))
                        .isEmpty();

                jmx.invoke(crm, "resume", null, null);
                assertThat(jmx.getAttribute(crm, "Paused")).isEqualTo(false);
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> (long) jmx.getAttribute(crm, "DeliveredSinceStart") == 2);
                assertThat(jmx.getAttribute(crm, "LastSuccess")).isNotNull();

                receiver.resetAll();
                receiver.stubFor(post(urlEqualTo("/in")).willReturn(aResponse().withStatus(422)));
                Notices.startCheckouts(hub, "jmx-dead", 1);
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> (long) jmx.getAttribute(crm, "DeadLettersStored") == 1);
                assertThat((String) jmx.getAttribute(crm, "LastError")).contains("422");

                receiver.resetAll();
                receiver.stubFor(post(urlEqualTo("/in")).willReturn(aResponse().withStatus(200)));
                assertThat(jmx.invoke(crm, "replayDeadLetters", null, null)).isEqualTo(1);
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> (long) jmx.getAttribute(crm, "DeliveredSinceStart") == 3);
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> (long) jmx.getAttribute(crm, "DeadLettersStored") == 0);

                assertThat((long) jmx.getAttribute(hubBean, "AcceptedSinceStart"))
                        .isEqualTo(3);
                assertThat((long) jmx.getAttribute(hubBean, "AbandonedStored")).isEqualTo(3);
                assertThat((long) jmx.getAttribute(hubBean, "PendingCheckoutsStored"))
                        .isZero();
                String instanceId = (String) jmx.getAttribute(hubBean, "InstanceId");
                assertThat((String[]) jmx.getAttribute(hubBean, "Instances"))
                        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                        .startsWith(instanceId + " running ");
            }
        } finally {
            receiver.stop();
        }
    }

    @Test
    void aPortWithoutCredentialsStopsTheStartWithTheFailureBlock(CapturedOutput output) {
        try (TestDatabase database = TestDatabase.create()) {
            Throwable thrown = catchThrowable(() -> TestHub.on(database)
                    .property("cartrelay.jmx.remote.port", 9)
                    .property("cartrelay.jmx.remote.username", "operator")
                    .start()
                    .close());

            FailureAnalysis analysis = new ConfigurationProblemFailureAnalyzer().analyze(thrown);
            assertThat(analysis).isNotNull();
            assertThat(analysis.getCause()).isInstanceOf(RemoteJmx.CredentialsMissing.class);
            String nl = System.lineSeparator();
            assertThat(output.getAll())
                    .contains("APPLICATION FAILED TO START")
                    .contains("Description:" + nl + nl + "cartrelay.jmx.remote.port is set, so "
                            + "cartrelay.jmx.remote.username and cartrelay.jmx.remote.password must be set too: remote "
                            + "JMX never runs without credentials." + nl)
                    .contains("Action:" + nl + nl + "Set CARTRELAY_JMX_REMOTE_USERNAME and "
                            + "CARTRELAY_JMX_REMOTE_PASSWORD")
                    .doesNotContain("IllegalStateException", "\tat ");
        }
    }
}
