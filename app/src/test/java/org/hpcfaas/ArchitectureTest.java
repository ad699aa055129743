package org.hpcfaas;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The package rules of docs/DESIGN.md, checked on the compiled runtime (plain JUnit tests, so any runner runs them). */
class ArchitectureTest {
  static JavaClasses runtime;

  @BeforeAll
  static void importRuntime() {
    runtime = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("org.hpcfaas");
  }

  @Test
  void engineDependsOnlyOnCoreTheJdkGraalAndSlf4j() {
    classes()
        .that().resideInAPackage("org.hpcfaas.engine..")
        .should().onlyDependOnClassesThat().resideInAnyPackage("org.hpcfaas.engine..", "org.hpcfaas.core..",
          "java..", "org.graalvm..", "org.slf4j..")
        .check(runtime);
  }

  @Test
  void coreDependsOnNoOtherPartOfTheRuntime() {
    noClasses()
        .that().resideInAPackage("org.hpcfaas.core..")
        .should().dependOnClassesThat().resideInAnyPackage("org.hpcfaas.api..", "org.hpcfaas.gateway..",
          "org.hpcfaas.transport..", "org.hpcfaas.worker..", "org.hpcfaas.engine..", "org.hpcfaas.registry..",
          "org.hpcfaas.auth..", "org.hpcfaas.async..", "org.hpcfaas.observe..", "org.apache.pekko.http..")
        .orShould().dependOnClassesThat().haveFullyQualifiedName(Node.class.getName())
        .check(runtime);
  }

  @Test
  void registryKnowsNoActorsOfOtherPartsAndNoHttp() {
    noClasses()
        .that().resideInAPackage("org.hpcfaas.registry..")
        .should().dependOnClassesThat().resideInAnyPackage("org.hpcfaas.api..", "org.hpcfaas.gateway..",
          "org.hpcfaas.transport..", "org.hpcfaas.worker..", "org.hpcfaas.engine..", "org.hpcfaas.auth..",
          "org.hpcfaas.async..", "org.hpcfaas.observe..", "org.apache.pekko.http..")
        .check(runtime);
  }

  @Test
  void apiNeverUsesTheEngineOrATransport() {
    noClasses()
        .that().resideInAPackage("org.hpcfaas.api..")
        .should().dependOnClassesThat().resideInAnyPackage("org.hpcfaas.engine..", "org.hpcfaas.transport..",
          "org.hpcfaas.worker..")
        .check(runtime);
  }

  @Test
  void onlyTheTransportsKnowWhichModeRuns() {
    noClasses()
        .that().resideOutsideOfPackage("org.hpcfaas.transport..")
        .should().dependOnClassesThat().resideInAnyPackage("org.hpcfaas.transport.artery..",
          "org.hpcfaas.transport.http..")
        .check(runtime);
  }

  @Test
  void theModesKnowNothingOfEachOther() {
    noClasses()
        .that().resideInAPackage("org.hpcfaas.transport.artery..")
        .should().dependOnClassesThat().resideInAPackage("org.hpcfaas.transport.http..")
        .check(runtime);
  }

  @Test
  void theHttpModeKnowsNothingOfTheArteryMode() {
    noClasses()
        .that().resideInAPackage("org.hpcfaas.transport.http..")
        .should().dependOnClassesThat().resideInAPackage("org.hpcfaas.transport.artery..")
        .check(runtime);
  }

  @Test
  void theWorkerKnowsNoGatewayNoTransportAndNoHttp() {
    noClasses()
        .that().resideInAPackage("org.hpcfaas.worker..")
        .should().dependOnClassesThat().resideInAnyPackage("org.hpcfaas.api..", "org.hpcfaas.gateway..",
          "org.hpcfaas.transport..", "org.apache.pekko.http..")
        .check(runtime);
  }

  @Test
  void httpTypesStayInTheApiAndTheHttpTransport() {
    noClasses()
        .that().resideOutsideOfPackages("org.hpcfaas.api..", "org.hpcfaas.transport..")
        .and().doNotHaveFullyQualifiedName(Node.class.getName())
        .should().dependOnClassesThat().resideInAPackage("org.apache.pekko.http..")
        .check(runtime);
  }

  @Test
  void longLivedActorsAreTheGuardiansChildren() {
    noClasses()
        .should().callMethod(org.apache.pekko.actor.typed.ActorSystem.class, "systemActorOf",
          org.apache.pekko.actor.typed.Behavior.class, String.class, org.apache.pekko.actor.typed.Props.class)
        .check(runtime);
  }
}
