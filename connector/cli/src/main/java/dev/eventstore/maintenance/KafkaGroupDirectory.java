package dev.eventstore.maintenance;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/** {@link GroupDirectory} answered by a Kafka cluster's admin API. */
public final class KafkaGroupDirectory implements GroupDirectory {

    private static final long TIMEOUT_SECONDS = 30;

    private final Admin admin;
    private Set<String> listed;

    public KafkaGroupDirectory(Admin admin) {
        this.admin = admin;
    }

    @Override
    public Presence presence(String group) throws Exception {
        if (listed == null) {
            listed = new HashSet<>();
            admin.listGroups(ListGroupsOptions.forConsumerGroups()).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
                    .forEach(listing -> listed.add(listing.groupId()));
        }
        if (!listed.contains(group)) {
            return Presence.unknown();
        }
        ConsumerGroupDescription description;
        try {
            description = admin.describeConsumerGroups(Set.of(group)).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(group);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return Presence.unknown();
            }
            throw e;
        }
        if (description == null || description.groupState() == GroupState.DEAD) {
            return Presence.unknown();
        }
        boolean committed = !admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).isEmpty();
        return new Presence(true, description.members().size(), committed,
                description.groupState().toString().toLowerCase(java.util.Locale.ROOT));
    }
}
