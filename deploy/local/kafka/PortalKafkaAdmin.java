// deploy/local/kafka/PortalKafkaAdmin.java — readiness check and topic creation
// for the local Kafka broker in ONE JVM (kafka-topics.sh would cost a JVM start,
// ~1.5 s on 2 cores, per topic). Compiled by kafka.sh into .local/kafka/tools.
//
//   java -cp '<libs>/*:<tools>' PortalKafkaAdmin BOOTSTRAP TIMEOUT_SECONDS [TOPICS_FILE]
//
// Waits until the broker answers a metadata request (describeCluster + listTopics)
// or TIMEOUT_SECONDS pass (exit 1). Then, if TOPICS_FILE is given ("name partitions"
// per line, '#' comments), creates the missing topics with replication factor 1;
// existing topics are left as they are (partition counts are never changed).
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

public final class PortalKafkaAdmin {
    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: PortalKafkaAdmin BOOTSTRAP TIMEOUT_SECONDS [TOPICS_FILE]");
            System.exit(2);
        }
        String bootstrap = args[0];
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[1]));
        Map<String, Integer> wanted = args.length > 2 ? readTopics(Path.of(args[2])) : Map.of();

        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "5000");
        props.put(AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, "100");
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MS_CONFIG, "100");
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "500");
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = null;
            Exception last = null;
            while (System.nanoTime() < deadline) {
                try {
                    admin.describeCluster().nodes().get(3, TimeUnit.SECONDS);
                    existing = admin.listTopics().names().get(3, TimeUnit.SECONDS);
                    break;
                } catch (Exception e) {
                    last = e;
                    Thread.sleep(200);
                }
            }
            if (existing == null) {
                System.err.println("kafka: broker at " + bootstrap + " did not answer metadata: " + last);
                System.exit(1);
            }
            List<NewTopic> missing = new ArrayList<>();
            for (Map.Entry<String, Integer> t : wanted.entrySet()) {
                if (!existing.contains(t.getKey())) {
                    missing.add(new NewTopic(t.getKey(), t.getValue(), (short) 1));
                }
            }
            if (!missing.isEmpty()) {
                var results = admin.createTopics(missing).values();
                List<String> created = new ArrayList<>();
                for (var r : results.entrySet()) {
                    try {
                        r.getValue().get(30, TimeUnit.SECONDS);
                        created.add(r.getKey());
                    } catch (ExecutionException e) {
                        if (!(e.getCause() instanceof TopicExistsException)) {
                            System.err.println("kafka: cannot create topic " + r.getKey() + ": " + e.getCause());
                            System.exit(1);
                        }
                    }
                }
                System.out.println("kafka: created topics " + created);
            }
            System.out.println("kafka: ready, " + (existing.size() + missing.size()) + " topics");
        }
    }

    private static Map<String, Integer> readTopics(Path file) throws Exception {
        Map<String, Integer> topics = new LinkedHashMap<>();
        int n = 0;
        for (String raw : Files.readAllLines(file)) {
            n++;
            String line = raw.replaceFirst("#.*", "").trim();
            if (line.isEmpty()) continue;
            String[] f = line.split("\\s+");
            if (f.length != 2 || !f[1].matches("[1-9][0-9]*")) {
                throw new IllegalArgumentException(file + ":" + n + ": expected 'name partitions', got: " + raw);
            }
            topics.put(f[0], Integer.parseInt(f[1]));
        }
        return topics;
    }
}
