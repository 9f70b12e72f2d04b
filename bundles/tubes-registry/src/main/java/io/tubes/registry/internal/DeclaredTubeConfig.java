package io.tubes.registry.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** {@code etc/io.tubes.tube-NAME.cfg}: a tube this domain opens and keeps open. */
@ObjectClassDefinition(name = "Tubes declared tube",
    description = "A tube to a peer domain that this domain opens, and opens again whenever it closes")
@interface DeclaredTubeConfig
{
    @AttributeDefinition(description = "The peer domain: its name, or its domain id")
    String peer();

    @AttributeDefinition(description = "The tube's index: each tube between two domains has its own")
    int index() default 0;

    @AttributeDefinition(description = "packet (each send arrives as one packet) or stream (bytes, as a socket)")
    String mode() default "packet";

    @AttributeDefinition(name = "open.timeout.ms", description = "How long one open waits for the peer to answer")
    long open_timeout_ms() default 10_000;

    @AttributeDefinition(name = "close.timeout.ms", description = "How long a close waits for the peer to confirm")
    long close_timeout_ms() default 5_000;

    @AttributeDefinition(name = "retry.ms", description = "The pause before the tube is opened again after an open"
        + " failed or the tube closed")
    long retry_ms() default 100;
}
