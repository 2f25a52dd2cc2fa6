import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A one-node KRaft Kafka broker for the benchmark's Kafka intake scenario, the one the tests use (spring-kafka-test),
 * with the notices' topic already made: {@code java -cp <test classpath> bench/KafkaBroker.java <partitions> <topic>}.
 * Prints "ready <host:port>" once it takes connections (on a port of its choosing) and runs until it is killed.
 */
public class KafkaBroker {
    public static void main(String[] args) throws Exception {
        EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, Integer.parseInt(args[0]), args[1]);
        broker.afterPropertiesSet();
        Runtime.getRuntime().addShutdownHook(new Thread(broker::destroy));
        System.out.println("ready " + broker.getBrokersAsString());
        Thread.currentThread().join();
    }
}
