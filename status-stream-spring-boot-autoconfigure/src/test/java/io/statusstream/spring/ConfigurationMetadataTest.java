package io.statusstream.spring;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's properties and the generated IDE metadata ({@code META-INF/spring-configuration-metadata.json}, what
 * IDEs complete from) name the same settings, so that neither drifts from the other.
 */
class ConfigurationMetadataTest {

    /** A property in backticks, optionally with a value: {@code `status-stream.poll-interval`}, {@code `x=false`}. */
    private static final Pattern PROPERTY = Pattern.compile(
            "`((?:status-stream|management\\.health\\.status-stream)\\.[A-Za-z0-9.<>*-]+)(?:=[^`]*)?`");
    private static final Pattern TABLE_ROW = Pattern.compile("^\\| `(status-stream\\.[a-z.-]+)` \\|", Pattern.MULTILINE);
    private static final Pattern PER_STREAM = Pattern.compile(
            "Per stream \\(`status-stream\\.streams\\.<name>\\.\\*`\\): every engine setting above from `([a-z-]+)` to"
                    + "\\s+`([a-z-]+)`, and `([a-z-]+)`");
    private static final String STREAMS = "status-stream.streams.";

    private final String readme = readme();
    private final Map<String, JsonNode> metadata = metadata();

    @Test
    void everyPropertyTheReadmeNamesIsInTheMetadata() {
        Set<String> named = new TreeSet<>();
        Matcher matcher = PROPERTY.matcher(readme);
        while (matcher.find()) {
            named.add(matcher.group(1));
        }
        assertThat(named).as("the README names properties").contains("status-stream.poll-interval",
                "management.health.status-stream.enabled", "status-stream.streams.bots.poll-interval");
        for (String property : named) {
            if (property.startsWith(STREAMS)) {
                String setting = property.substring(property.lastIndexOf('.') + 1);
                if (!setting.equals("*") && !setting.equals("<setting>")) {
                    assertThat(perStreamSettings()).as(property).contains(setting);
                }
            } else if (property.endsWith(".*")) {
                String prefix = property.substring(0, property.length() - 1);
                assertThat(metadata.keySet()).as("metadata under " + property).anyMatch(name -> name.startsWith(prefix));
            } else {
                assertThat(metadata).as("metadata of " + property).containsKey(property);
            }
        }
    }

    @Test
    void everyPropertyInTheMetadataIsInTheReadmesTables() {
        Set<String> documented = new LinkedHashSet<>();
        Matcher rows = TABLE_ROW.matcher(readme);
        while (rows.find()) {
            documented.add(rows.group(1));
        }
        Set<String> generated = metadata.keySet().stream()
                .filter(name -> name.startsWith("status-stream.") && !name.equals("status-stream.streams"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(documented).containsExactlyInAnyOrderElementsOf(generated);
        assertThat(readme).contains("`management.health.status-stream.enabled=false`");
    }

    /**
     * Per-stream keys are completed from the map's value type: the metadata has {@code status-stream.streams} as a
     * map of {@link StatusStreamProperties.Stream}, whose components are exactly the settings the README lists.
     */
    @Test
    void thePerStreamSettingsAreTheComponentsOfTheMapsValueTypeAndEachIsAlsoAGlobalProperty() {
        assertThat(metadata.get("status-stream.streams").get("type").asString())
                .isEqualTo("java.util.Map<java.lang.String,io.statusstream.spring.StatusStreamProperties$Stream>");
        Set<String> components = Arrays.stream(StatusStreamProperties.Stream.class.getRecordComponents())
                .map(component -> kebab(component.getName())).collect(Collectors.toCollection(TreeSet::new));
        assertThat(perStreamSettings()).containsExactlyInAnyOrderElementsOf(components);
        for (String setting : components) {
            JsonNode global = metadata.get("status-stream." + setting);
            assertThat(global).as("status-stream." + setting).isNotNull();
            assertThat(global.has("description")).as("description of status-stream." + setting).isTrue();
        }
    }

    @Test
    void theHealthSwitchIsDescribedWithItsDefault() {
        JsonNode health = metadata.get("management.health.status-stream.enabled");
        assertThat(health.get("type").asString()).isEqualTo("java.lang.Boolean");
        assertThat(health.get("defaultValue").asBoolean()).isTrue();
        assertThat(health.get("description").asString()).startsWith("Whether to enable");
    }

    /** The settings the README's per-stream sentence names: a range of the table's rows, and one more. */
    private Set<String> perStreamSettings() {
        Matcher sentence = PER_STREAM.matcher(readme);
        assertThat(sentence.find()).as("the README's per-stream sentence").isTrue();
        List<String> rows = new java.util.ArrayList<>();
        Matcher table = TABLE_ROW.matcher(readme);
        while (table.find()) {
            rows.add(table.group(1).substring("status-stream.".length()));
        }
        int from = rows.indexOf(sentence.group(1));
        int to = rows.indexOf(sentence.group(2));
        assertThat(from).isNotNegative().isLessThan(to);
        Set<String> settings = new TreeSet<>(rows.subList(from, to + 1));
        settings.add(sentence.group(3));
        return settings;
    }

    private static String kebab(String camel) {
        return camel.replaceAll("([A-Z])", "-$1").toLowerCase(java.util.Locale.ROOT);
    }

    private static String readme() {
        try {
            return Files.readString(Path.of("../status-stream-spring-boot-starter/README.md"));
        } catch (java.io.IOException failure) {
            throw new java.io.UncheckedIOException(failure);
        }
    }

    private static Map<String, JsonNode> metadata() {
        try (InputStream in = ConfigurationMetadataTest.class.getResourceAsStream(
                "/META-INF/spring-configuration-metadata.json")) {
            assertThat(in).as("generated metadata").isNotNull();
            Map<String, JsonNode> properties = new HashMap<>();
            for (JsonNode property : JsonMapper.shared().readTree(in).get("properties")) {
                properties.put(property.get("name").asString(), property);
            }
            return properties;
        } catch (java.io.IOException failure) {
            throw new java.io.UncheckedIOException(failure);
        }
    }
}
