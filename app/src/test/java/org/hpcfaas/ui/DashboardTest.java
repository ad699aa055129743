package org.hpcfaas.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;
import org.hpcfaas.testing.TestModules;
import org.hpcfaas.testing.TestNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in headless Chromium against a real node: deploy the SDK's upper.wasm through the page's
 * file input, invoke it with text, and see its output, node and duration; with authentication off and on.
 * With {@code -Dhpcfaas.dashboard.screenshots=DIR} it also writes the screenshots of docs/ there.
 */
class DashboardTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  static Path tmp;
  static WebDriver browser;

  @BeforeAll
  static void startBrowser() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "skipped: the dashboard test needs Debian's chromium and chromium-driver (/usr/bin/chromium, "
            + "/usr/bin/chromedriver): apt-get install chromium chromium-driver");
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    var options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1440,2000", "--user-data-dir=" + Files.createTempDirectory(tmp, "chromium"));
    var service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stopBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  @Test
  void deploysAndInvokesWithAuthenticationOff() throws Exception {
    try (var node = TestNode.start(Files.createTempDirectory(tmp, "open"), "hpcfaas.auth.enabled = off")) {
      browser.get(node.url + "/ui");
      deployAndInvoke(node);
      dropModuleAndInvokeWithAFile();
      var shots = System.getProperty("hpcfaas.dashboard.screenshots");
      if (shots != null && !shots.isBlank()) {
        screenshots(node, Path.of(shots));
      }
    }
  }

  @Test
  void asksForATokenOnceAndKeepsItInTheTab() throws Exception {
    var data = Files.createTempDirectory(tmp, "auth");
    try (var node = TestNode.start(data, "hpcfaas.auth.enabled = on")) {
      var admin = Files.readString(data.resolve("admin.token")).trim();
      browser.get(node.url + "/ui");
      var wait = new WebDriverWait(browser, WAIT);
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("auth-panel")));
      var shots = System.getProperty("hpcfaas.dashboard.screenshots");
      if (shots != null && !shots.isBlank()) {
        Files.createDirectories(Path.of(shots));
        Files.write(Path.of(shots, "dashboard-token.png"), ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES));
      }
      browser.findElement(By.id("token-input")).sendKeys(admin);
      browser.findElement(By.id("token-save")).click();
      wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("auth-panel")));
      deployAndInvoke(node);

      browser.navigate().refresh();
      wait.until(d -> d.findElements(By.cssSelector("#functions-table tbody tr[data-function=upper]")).size() == 1);
      assertTrue(!browser.findElement(By.id("auth-panel")).isDisplayed(), "the token is kept in the tab");
      wait.until(d -> d.findElements(By.cssSelector("#cluster-table tbody tr")).size() == 1);
      browser.findElement(By.id("token-forget")).click();
      browser.navigate().refresh();
      wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("auth-panel")));
    }
  }

  /** Deploys upper.wasm through the file input, invokes it with text, checks output, node, duration, lists. */
  private static void deployAndInvoke(TestNode node) throws Exception {
    var wait = new WebDriverWait(browser, WAIT);
    var module = new File(System.getProperty("hpcfaas.test.examples"), "upper.wasm");
    assertTrue(module.isFile(), module + " is built by the SDK module");
    wait.until(ExpectedConditions.presenceOfElementLocated(By.id("deploy-file"))).sendKeys(module.getCanonicalPath());
    wait.until(ExpectedConditions.attributeToBe(By.id("deploy-name"), "value", "upper"));
    browser.findElement(By.id("deploy-memory")).sendKeys("32");
    browser.findElement(By.id("deploy-button")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("deploy-result"), "deployed upper version 1"));
    var row = wait.until(ExpectedConditions.presenceOfElementLocated(
        By.cssSelector("#functions-table tbody tr[data-function=upper]")));
    assertTrue(row.getText().contains("32 MiB"), row.getText());

    wait.until(ExpectedConditions.textToBePresentInElementValue(By.id("invoke-function"), "upper"));
    var input = browser.findElement(By.id("invoke-input"));
    input.clear();
    input.sendKeys("hello from the dashboard");
    browser.findElement(By.id("invoke-button")).click();
    wait.until(ExpectedConditions.textToBe(By.id("invoke-output"), "HELLO FROM THE DASHBOARD"));
    wait.until(ExpectedConditions.textMatches(By.id("invoke-node"), Pattern.compile("^pekko://hpcfaas@127\\.0\\.0\\.1:\\d+$")));
    wait.until(ExpectedConditions.textMatches(By.id("invoke-duration"), Pattern.compile("^\\d+ ms$")));
    var id = browser.findElement(By.id("invoke-id")).getText();
    assertTrue(id.matches("[0-9a-f-]{36}"), id);
    assertEquals("", browser.findElement(By.id("invoke-stderr")).getText());
    assertTrue(browser.findElement(By.id("invoke-status")).getText().startsWith("200"),
        browser.findElement(By.id("invoke-status")).getText());

    wait.until(d -> d.findElements(By.cssSelector("#recent-table tbody tr span[title='" + id + "']")).size() == 1);
    wait.until(d -> d.findElement(By.cssSelector("#cluster-table tbody")).getText().contains("Up"));
    wait.until(d -> !d.findElement(By.id("stat-rate")).getText().equals("–"));
  }

  /** Deploys echo.wasm by dropping it on the page, then invokes it with a file as input. */
  private static void dropModuleAndInvokeWithAFile() throws Exception {
    var wait = new WebDriverWait(browser, WAIT);
    var bytes = new java.util.ArrayList<Integer>();
    for (byte b : TestModules.example("echo")) {
      bytes.add(b & 0xff);
    }
    ((JavascriptExecutor) browser).executeScript("""
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(arguments[0])], 'echo.wasm', { type: 'application/wasm' }));
        document.getElementById('deploy-drop').dispatchEvent(
            new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }));
        """, bytes);
    wait.until(ExpectedConditions.attributeToBe(By.id("deploy-name"), "value", "echo"));
    browser.findElement(By.id("deploy-button")).click();
    wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("deploy-result"), "deployed echo version 1"));

    var input = Files.createTempFile(tmp, "input", ".txt");
    Files.writeString(input, "line one\nline two\n");
    new Select(browser.findElement(By.id("invoke-function"))).selectByValue("echo");
    browser.findElement(By.id("invoke-mode-file")).click();
    browser.findElement(By.id("invoke-file")).sendKeys(input.toFile().getCanonicalPath());
    browser.findElement(By.id("invoke-button")).click();
    wait.until(d -> d.findElement(By.id("invoke-output")).getText().equals("line one\nline two"));
    wait.until(ExpectedConditions.textMatches(By.id("invoke-duration"), Pattern.compile("^\\d+ ms$")));
    browser.findElement(By.id("invoke-mode-text")).click();
    new Select(browser.findElement(By.id("invoke-function"))).selectByValue("upper");
  }

  /** Some traffic for the charts, then the page and its invoke card, for docs/. */
  private static void screenshots(TestNode node, Path dir) throws Exception {
    Files.createDirectories(dir);
    assertEquals(201, node.deploy("wordcount", TestModules.example("wordcount"), "memoryMb=16").statusCode());
    assertEquals(201, node.deploy("sha256", TestModules.example("sha256"), "").statusCode());
    long end = System.nanoTime() + Duration.ofSeconds(24).toNanos();
    int i = 0;
    while (System.nanoTime() < end) {
      for (var name : List.of("upper", "wordcount", "sha256")) {
        node.invoke(name, "call " + i + " of the dashboard's screenshot run\n".repeat(1 + i % 40));
      }
      i++;
      Thread.sleep(40 + (i % 25) * 8);
    }
    var input = browser.findElement(By.id("invoke-input"));
    input.clear();
    input.sendKeys("the quick brown fox jumps over the lazy dog");
    browser.findElement(By.id("invoke-button")).click();
    new WebDriverWait(browser, WAIT).until(ExpectedConditions.textToBe(By.id("invoke-output"),
        "THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG"));
    Thread.sleep(2500);
    Files.write(dir.resolve("dashboard-overview.png"),
        ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES));
    Files.write(dir.resolve("dashboard-invoke.png"),
        browser.findElement(By.id("invoke-card")).getScreenshotAs(OutputType.BYTES));
  }
}
