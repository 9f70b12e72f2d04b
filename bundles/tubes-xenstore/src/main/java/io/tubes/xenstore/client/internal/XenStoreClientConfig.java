package io.tubes.xenstore.client.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration {@code io.tubes.xenstore}: where xenstored is and how patient to be with it. */
@ObjectClassDefinition(pid = "io.tubes.xenstore", name = "Tubes XenStore client",
    description = "How this domain reaches xenstored. XENSTORED_PATH in the environment overrides the path.")
public @interface XenStoreClientConfig
{
    @AttributeDefinition(name = "Path",
        description = "xenstored's socket or the xenbus device. Empty: in a domain (configuration io.tubes.host),"
            + " the domain's own connection once its driver has joined; elsewhere XENSTORED_PATH,"
            + " /var/run/xenstored/socket or /dev/xen/xenbus")
    String path() default "";

    @AttributeDefinition(name = "Request timeout (ms)", description = "How long to wait for each reply")
    long request_timeout_ms() default 30_000;

    @AttributeDefinition(name = "Transaction attempts",
        description = "How many times a transaction is tried when commits conflict (EAGAIN)")
    int transaction_attempts() default 20;
}
