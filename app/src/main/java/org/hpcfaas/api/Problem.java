package org.hpcfaas.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.LinkedHashMap;
import java.util.Map;

/** An RFC 9457 problem: every error the HTTP API returns, as {@code application/problem+json}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance,
    @com.fasterxml.jackson.annotation.JsonIgnore Map<String, Object> extensions) {

  public static Problem of(ProblemType type, String detail) {
    return new Problem(type.uri(), type.title(), type.status(), detail, null, new LinkedHashMap<>());
  }

  /** Adds an extension member (exitCode, stderr, invocationId...); null values are left out. */
  public Problem with(String key, Object value) {
    if (value != null) {
      extensions.put(key, value);
    }
    return this;
  }

  public Problem at(String path) {
    return new Problem(type, title, status, detail, path, extensions);
  }

  @JsonAnyGetter
  public Map<String, Object> members() {
    return extensions;
  }
}
