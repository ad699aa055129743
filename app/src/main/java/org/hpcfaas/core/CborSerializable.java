package org.hpcfaas.core;

/** Marker for messages that cross nodes; bound to Jackson CBOR in application.conf. */
public interface CborSerializable {}
