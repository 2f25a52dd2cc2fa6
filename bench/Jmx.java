import java.util.Set;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import com.sun.tools.attach.VirtualMachine;

/**
 * Calls an operation on every connector MBean of a running hub, the way an operator would over JMX, through the
 * JDK's attach API (same user, no remote JMX needed): {@code java bench/Jmx.java <pid> pause|resume}.
 */
public class Jmx {
    public static void main(String[] args) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(args[0]);
        try (JMXConnector jmx = JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()))) {
            MBeanServerConnection server = jmx.getMBeanServerConnection();
            Set<ObjectName> connectors = server.queryNames(new ObjectName("cartrelay:type=Connector,*"), null);
            for (ObjectName connector : connectors) {
                server.invoke(connector, args[1], new Object[0], new String[0]);
            }
            System.out.println(args[1] + ": " + connectors.size() + " connectors");
        } finally {
            vm.detach();
        }
    }
}
