package org.spineoutcomes.localstack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.spineoutcomes.topics.SpineTopic;
import org.spineoutcomes.topics.Topics;

/** The stack creates the contract's topics exactly as {@link Topics} defines them. */
@ExtendWith(LocalStackExtension.class)
class LocalStackTopicsTest {

    @Test
    void everyContractTopicExistsWithItsPartitionsAndConfig(LocalStack stack) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.bootstrapServers()))) {
            Set<String> expectedNames = Topics.ALL.stream().map(SpineTopic::name).collect(Collectors.toSet());
            Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
            assertEquals(Set.of(), difference(expectedNames, existing), "contract topics missing on the broker");

            Map<String, TopicDescription> descriptions = admin.describeTopics(expectedNames).allTopicNames().get(30, TimeUnit.SECONDS);
            List<ConfigResource> resources = expectedNames.stream().map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
            Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
            for (SpineTopic<?, ?> spec : Topics.ALL) {
                assertEquals(spec.partitions(), descriptions.get(spec.name()).partitions().size(), spec.name() + " partitions");
                Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, spec.name()));
                spec.config().forEach((key, value) ->
                        assertEquals(value, config.get(key).value(), spec.name() + " " + key));
            }
            // Spot checks a reader can verify against docs/architecture.md's topic table: outcomes are compacted,
            // procedures are deleted after 10 years (10 * 365 * 24 * 3600 * 1000 = 315,360,000,000 ms), inputs have 3 partitions.
            Map<ConfigResource, Config> spot = admin.describeConfigs(List.of(
                    new ConfigResource(ConfigResource.Type.TOPIC, "spine.patient-outcomes.v1"),
                    new ConfigResource(ConfigResource.Type.TOPIC, "spine.procedures.v1"))).all().get(30, TimeUnit.SECONDS);
            assertEquals("compact", spot.get(new ConfigResource(ConfigResource.Type.TOPIC, "spine.patient-outcomes.v1")).get("cleanup.policy").value());
            assertEquals("315360000000", spot.get(new ConfigResource(ConfigResource.Type.TOPIC, "spine.procedures.v1")).get("retention.ms").value());
            assertEquals(3, descriptions.get("spine.procedures.v1").partitions().size());
        }
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        return a.stream().filter(x -> !b.contains(x)).collect(Collectors.toSet());
    }
}
