package org.hpcfaas.registry;

/** A volume a function sees at {@code guestPath} (absolute), narrowed to read-only when {@code readOnly}. */
public record Mount(String volume, String guestPath, boolean readOnly) {}
