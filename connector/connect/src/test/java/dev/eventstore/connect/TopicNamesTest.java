package dev.eventstore.connect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicNamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"game", "Zone_7", "player", "-42", "a_b", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
    void aCategoryThatNeedsNoCleaningIsTheTopicAsItIs(String category) {
        String streamId = category.startsWith("-") ? category : category + "-1";
        assertThat(TopicNames.categoryTopic("eventstore", streamId)).isEqualTo("eventstore." + category);
    }

    @Test
    void categoriesThatCleanAlikeGetTopicsOfTheirOwn() {
        String quoted = TopicNames.categoryTopic("eventstore", "q\"x\\y} 1{-7");
        String other = TopicNames.categoryTopic("eventstore", "q_x_y__1_-7");

        assertThat(quoted).isEqualTo("eventstore.q_x_y__1_-4a19e3ca");
        assertThat(other).isEqualTo("eventstore.q_x_y__1_");
        assertThat(TopicNames.categoryTopic("eventstore", "a.b-1")).isNotEqualTo(TopicNames.categoryTopic("eventstore", "a b-1"))
                .isNotEqualTo(TopicNames.categoryTopic("eventstore", "a_b-1"));
    }

    @Test
    void mappingIsDeterministicAndInjectiveOverManyCategoriesThatCleanAlike() {
        // Every category of "a" + one character from U+0000 to U+2FFF + "b", and the plain "a_b".
        Map<String, String> categoryOfTopic = new HashMap<>();
        categoryOfTopic.put(TopicNames.categoryTopic("p", "a_b-1"), "a_b");
        for (int c = 0; c < 0x3000; c++) {
            if (c == '-' || c == '_' || Character.isSurrogate((char) c)) {
                continue;
            }
            String category = "a" + (char) c + "b";
            String topic = TopicNames.categoryTopic("p", category + "-9");
            assertThat(TopicNames.categoryTopic("p", category)).as("deterministic").isEqualTo(topic);
            assertThat(EventRecordTransformConfig.LEGAL_TOPIC.matcher(topic).matches()).as(topic).isTrue();
            String earlier = categoryOfTopic.put(topic, category);
            assertThat(earlier).as("topic %s of %s", topic, category).isNull();
        }
    }

    @Test
    void longCleanedCategoriesAreCutAndStayApart() {
        List<String> topics = List.of(
                TopicNames.categoryTopic("eventstore", "é".repeat(300) + "-1"),
                TopicNames.categoryTopic("eventstore", "è".repeat(300) + "-1"),
                TopicNames.categoryTopic("eventstore", "a".repeat(300) + "-1"));

        assertThat(topics).allSatisfy(t -> assertThat(t).hasSize(249)).doesNotHaveDuplicates();
        assertThat(topics.get(0)).matches(".*-[0-9a-f]{8}");
        assertThat(topics.get(2)).matches(".*_[0-9a-f]{8}");
    }
}
