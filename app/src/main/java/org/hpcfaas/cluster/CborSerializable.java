package org.hpcfaas.cluster;

/** Marker for messages that cross nodes; bound to Jackson CBOR in application.conf. */
public interface CborSerializable {}
