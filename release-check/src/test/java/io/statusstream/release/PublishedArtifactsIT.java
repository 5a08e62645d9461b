package io.statusstream.release;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What Maven Central asks of every published module, checked on the packaged reactor without any network: the jar
 * (with an {@code Automatic-Module-Name}), the sources jar and the javadoc jar, and a pom that, with its parents, names
 * the project, its URL, license, SCM and developers. A module whose javadoc is switched off
 * ({@code statusstream.javadoc.skip}, recorded by the parent pom in {@code target/statusstream-javadoc-skip.txt}) is
 * excused its javadoc jar, and says so in the test's name.
 */
class PublishedArtifactsIT {

    private static final Path ROOT = Path.of(System.getProperty("statusstream.root")).normalize();
    private static final String VERSION = System.getProperty("statusstream.version");

    @TestFactory
    Stream<DynamicTest> everyPublishedJarHasItsSourcesJavadocAndModuleName() {
        return Arrays.stream(System.getProperty("statusstream.published.jars").split(",")).map(entry -> {
            String[] parts = entry.split("=");
            String artifactId = parts[0];
            String moduleName = parts[1];
            Path target = ROOT.resolve(artifactId).resolve("target");
            boolean javadocSkipped = javadocSkipped(target);
            return DynamicTest.dynamicTest(artifactId + (javadocSkipped ? " (javadoc switched off)" : ""), () -> {
                Path jar = target.resolve(artifactId + "-" + VERSION + ".jar");
                try (JarFile main = new JarFile(jar.toFile())) {
                    assertThat(main.getManifest().getMainAttributes().getValue("Automatic-Module-Name"))
                            .as("Automatic-Module-Name of %s", jar).isEqualTo(moduleName);
                    assertThat(main.stream().anyMatch(e -> e.getName().endsWith(".class")))
                            .as("%s has classes", jar).isTrue();
                }
                assertJarHas(target.resolve(artifactId + "-" + VERSION + "-sources.jar"), ".java");
                if (!javadocSkipped) {
                    assertJarHas(target.resolve(artifactId + "-" + VERSION + "-javadoc.jar"), "index.html");
                }
                assertPomComplete(ROOT.resolve(artifactId).resolve("pom.xml"));
            });
        });
    }

    @TestFactory
    Stream<DynamicTest> everyPublishedPomIsComplete() {
        return Arrays.stream(System.getProperty("statusstream.published.poms").split(","))
                .map(module -> DynamicTest.dynamicTest(module,
                        () -> assertPomComplete(ROOT.resolve(module).resolve("pom.xml").normalize())));
    }

    private static boolean javadocSkipped(Path target) {
        try {
            return Files.readString(target.resolve("statusstream-javadoc-skip.txt")).strip().equals("true");
        } catch (IOException notRecorded) {
            throw new AssertionError("no javadoc switch recorded in " + target + ": was the module packaged?",
                    notRecorded);
        }
    }

    private static void assertJarHas(Path jar, String entrySuffix) throws IOException {
        assertThat(jar).as("attached jar").isRegularFile();
        try (JarFile file = new JarFile(jar.toFile())) {
            assertThat(file.stream().anyMatch(e -> e.getName().endsWith(entrySuffix)))
                    .as("%s has a %s entry", jar, entrySuffix).isTrue();
        }
    }

    /** The pom and the parents it inherits from (by relativePath, as in this reactor) must hold every element. */
    private static void assertPomComplete(Path pom) throws Exception {
        List<Element> chain = new ArrayList<>();
        for (Path current = pom; current != null; ) {
            Element project = parse(current);
            chain.add(project);
            Element parent = child(project, "parent");
            if (parent == null) {
                current = null;
            } else {
                Element relative = child(parent, "relativePath");
                current = current.getParent().resolve(relative == null ? "../pom.xml" : relative.getTextContent())
                        .normalize();
                if (Files.isDirectory(current)) {
                    current = current.resolve("pom.xml");
                }
            }
        }
        assertThat(text(chain.get(0), "name")).as("name of %s", pom).isNotBlank();
        assertThat(text(chain.get(0), "description")).as("description of %s", pom).isNotBlank();
        assertThat(inherited(chain, "url")).as("url of %s", pom).startsWith("https://");
        Element licenses = inheritedElement(chain, "licenses");
        assertThat(licenses).as("licenses of %s", pom).isNotNull();
        Element license = child(licenses, "license");
        assertThat(text(license, "name")).as("license of %s", pom).isEqualTo("Apache License, Version 2.0");
        assertThat(text(license, "url")).isEqualTo("https://www.apache.org/licenses/LICENSE-2.0.txt");
        Element scm = inheritedElement(chain, "scm");
        assertThat(scm).as("scm of %s", pom).isNotNull();
        assertThat(text(scm, "connection")).as("scm connection of %s", pom).startsWith("scm:git:");
        assertThat(text(scm, "url")).as("scm url of %s", pom).startsWith("https://");
        Element developers = inheritedElement(chain, "developers");
        assertThat(developers).as("developers of %s", pom).isNotNull();
        assertThat(child(developers, "developer")).as("a developer in %s", pom).isNotNull();
    }

    private static Element parse(Path pom) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document document = factory.newDocumentBuilder().parse(pom.toFile());
        return document.getDocumentElement();
    }

    private static String inherited(List<Element> chain, String name) {
        Element element = inheritedElement(chain, name);
        return element == null ? null : element.getTextContent().strip();
    }

    private static Element inheritedElement(List<Element> chain, String name) {
        for (Element project : chain) {
            Element element = child(project, name);
            if (element != null) {
                return element;
            }
        }
        return null;
    }

    private static String text(Element parent, String name) {
        Element element = child(parent, name);
        return element == null ? null : element.getTextContent().strip();
    }

    private static Element child(Element parent, String name) {
        for (Node node = parent.getFirstChild(); node != null; node = node.getNextSibling()) {
            if (node instanceof Element element && name.equals(element.getLocalName() != null
                    ? element.getLocalName() : element.getTagName())) {
                return element;
            }
        }
        return null;
    }
}
