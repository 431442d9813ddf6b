package io.shardloop.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The packages' layers, checked on the compiled product: each package depends only on the ones
 * below it (docs/architecture.md draws the same picture), and no two packages depend on each other.
 */
class LayersTest {
    private static JavaClasses product;

    @BeforeAll
    static void importProduct() {
        product = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.shardloop");
    }

    @Test
    void shouldHaveNoCyclesBetweenPackages() {
        slices().matching("io.shardloop.(**)").should().beFreeOfCycles().check(product);
    }

    @Test
    void shouldDependOnlyDownwards() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("cli").definedBy("io.shardloop.cli..")
                .layer("scale").definedBy("io.shardloop.scale..")
                .layer("server").definedBy("io.shardloop.server..")
                .layer("baseline").definedBy("io.shardloop.baseline..")
                .layer("load").definedBy("io.shardloop.load..")
                .layer("resp").definedBy("io.shardloop.resp")
                .layer("http").definedBy("io.shardloop.http", "io.shardloop.http.file..")
                .layer("echo").definedBy("io.shardloop.echo..")
                .layer("kv").definedBy("io.shardloop.kv..")
                .layer("script").definedBy("io.shardloop.script..")
                .layer("codecs").definedBy("io.shardloop.resp.codec..", "io.shardloop.http.codec..")
                .layer("runtime").definedBy("io.shardloop.runtime..")
                .layer("metrics").definedBy("io.shardloop.metrics..")
                .whereLayer("cli").mayNotBeAccessedByAnyLayer()
                .whereLayer("scale").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("server").mayOnlyBeAccessedByLayers("cli", "scale")
                .whereLayer("baseline").mayOnlyBeAccessedByLayers("cli", "scale", "server")
                .whereLayer("load").mayOnlyBeAccessedByLayers("cli", "scale")
                .whereLayer("resp").mayOnlyBeAccessedByLayers("cli", "scale", "server", "baseline")
                .whereLayer("http").mayOnlyBeAccessedByLayers("cli", "scale", "server", "baseline")
                .whereLayer("echo").mayOnlyBeAccessedByLayers("cli", "server")
                .whereLayer("kv").mayOnlyBeAccessedByLayers("cli", "scale", "server", "baseline", "resp", "http")
                .whereLayer("script").mayOnlyBeAccessedByLayers("cli", "scale", "server", "baseline", "resp", "http",
                        "kv")
                .whereLayer("codecs").mayOnlyBeAccessedByLayers("cli", "scale", "server", "baseline", "load", "resp",
                        "http", "kv", "script")
                .whereLayer("runtime").mayOnlyBeAccessedByLayers("cli", "scale", "server", "baseline", "load", "resp",
                        "http", "echo", "kv")
                .check(product);
    }

    @Test
    void shouldKeepTheCodecsFreeOfIo() {
        com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses()
                .that().resideInAnyPackage("io.shardloop.resp.codec..", "io.shardloop.http.codec..")
                .should().dependOnClassesThat().resideInAnyPackage("io.shardloop.runtime..", "java.nio.channels..",
                        "java.net..")
                .because("a codec is bytes in, requests or replies out, tested without sockets")
                .check(product);
    }

    @Test
    void shouldKeepTheRuntimeFreeOfProtocols() {
        com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses()
                .that().resideInAPackage("io.shardloop.runtime..")
                .should().dependOnClassesThat().resideInAnyPackage("io.shardloop.kv..", "io.shardloop.resp..",
                        "io.shardloop.http..", "io.shardloop.echo..")
                .check(product);
    }
}
