package org.hpcfaas.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The outputs a node keeps: bounded in bytes, the least recently used evicted first, kept across a restart. */
class ResultStoreTest {
  @TempDir
  Path dir;

  private static String key(char c) {
    return String.valueOf(c).repeat(64);
  }

  @Test
  void theLeastRecentlyUsedOutputGoesFirstWhenTheBoundIsReached() {
    var store = new ResultStore(dir, 10);
    store.put(key('a'), "aaaa".getBytes());
    store.put(key('b'), "bbbb".getBytes());
    assertTrue(store.get(key('a')).isPresent(), "a is now the most recently used");
    store.put(key('c'), "cccc".getBytes());
    assertTrue(store.get(key('b')).isEmpty(), "b was the least recently used");
    assertArrayEquals("aaaa".getBytes(), store.get(key('a')).orElseThrow());
    assertArrayEquals("cccc".getBytes(), store.get(key('c')).orElseThrow());
    assertEquals(8, store.bytes());
  }

  @Test
  void anOutputLargerThanTheWholeBoundIsNotKept() {
    var store = new ResultStore(dir, 3);
    store.put(key('a'), "aaaa".getBytes());
    assertTrue(store.get(key('a')).isEmpty());
    assertEquals(0, store.bytes());
  }

  @Test
  void outputsOutliveARestartAndOnlyKeysNameFiles() {
    new ResultStore(dir, 100).put(key('d'), "kept".getBytes());
    var again = new ResultStore(dir, 100);
    assertArrayEquals("kept".getBytes(), again.get(key('d')).orElseThrow());
    assertEquals(4, again.bytes());
    assertTrue(again.get("../escape").isEmpty());
  }
}
