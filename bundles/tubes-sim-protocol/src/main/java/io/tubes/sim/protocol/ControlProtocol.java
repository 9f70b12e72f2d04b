package io.tubes.sim.protocol;

import java.util.regex.Pattern;

/**
 * The control protocol between a domain and the host: one text line per request and per reply on
 * {@code DIR/control}. A domain's first request is {@code join NAME PID}; the host answers
 * {@code ok DOMID} or {@code error MESSAGE}. The connection then stays open: when it closes, for
 * whatever reason, the host releases the domain. {@code status} (on any connection) answers the
 * status view, one line per line, ending with {@code end}; {@code domains} the joined domains' ids
 * and names, the same way.
 */
public final class ControlProtocol
{
    /** Domain names: what Xen's toolstack accepts in practice, and safe in a file name. */
    public static final Pattern DOMAIN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

    public static final String JOIN = "join";
    public static final String STATUS = "status";
    /** Asks for the joined domains, one {@code DOMID NAME} line each, ending with {@code end}: what a toolstack tells of names. */
    public static final String DOMAINS = "domains";
    public static final String OK = "ok";
    public static final String ERROR = "error";
    public static final String END = "end";

    /**
     * Longest request line the host reads; a longer one ends the connection. A map of a ring's data
     * pages lists up to 512 refs, each of up to 10 digits and a comma.
     */
    public static final int MAX_LINE = 8192;

    private ControlProtocol()
    {
    }
}
