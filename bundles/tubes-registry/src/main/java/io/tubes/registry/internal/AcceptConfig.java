package io.tubes.registry.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** {@code etc/io.tubes.accept.cfg}: which knocks this domain accepts, each tube then a {@code Tube} service. */
@ObjectClassDefinition(name = "Tubes accept policy",
    description = "Which domains may open tubes to this one, how many, and in which modes")
@interface AcceptConfig
{
    @AttributeDefinition(description = "Names or domain ids of the domains that may open tubes to this one, or * for"
        + " every domain; none: knocks wait for a TubeService.accept call")
    String[] peers() default {"*"};

    @AttributeDefinition(name = "tubes.per.peer", description = "Accepted tubes open at once from one domain")
    int tubes_per_peer() default 128;

    @AttributeDefinition(name = "tubes.total", description = "Accepted tubes open at once from all domains")
    int tubes_total() default 192;

    @AttributeDefinition(description = "Modes a tube may ask for: packet, stream")
    String[] modes() default {"packet", "stream"};

    @AttributeDefinition(name = "ring.size", description = "Bytes in each ring of an accepted tube: a power of two"
        + " from 4096 to 2097152")
    int ring_size() default 65536;
}
