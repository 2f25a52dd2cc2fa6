package org.cartrelay.cluster;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.cartrelay.support.Ids;
import org.springframework.stereotype.Component;

/**
 * This hub instance: a random id of its own, made at each start, and where it runs. Every lease it takes carries the
 * id ({@link #leaseTokenPrefix}), so that another instance can release them all at once when this one's heartbeat
 * lapses.
 */
@Component
public class HubInstance {

    /** Eight characters: a lease token ({@code lse_<id>_<26>}) must fit in the column's 40. */
    private static final int ID_LENGTH = 8;

    private final String id = Ids.random(ID_LENGTH);
    private final String host = hostName();
    private final long pid = ProcessHandle.current().pid();

    public String id() {
        return id;
    }

    public String host() {
        return host;
    }

    public long pid() {
        return pid;
    }

    /** What every lease token of this instance begins with, for {@link Ids#next}: {@code lse_<id>}. */
    public String leaseTokenPrefix() {
        return leaseTokenPrefix(id);
    }

    public static String leaseTokenPrefix(String instanceId) {
        return "lse_" + instanceId;
    }

    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }
}
