package io.tubes.tube.runtime;

/**
 * One tube as its end in this domain saw it when the snapshot was taken. Public fields, as OSGi's
 * DTOs: data to print or compare, not a handle on the tube.
 */
public class TubeDTO
{
    /** {@code nock>tip/index}: the same after either domain restarts. */
    public String id;
    public int nock;
    public String nockName;
    public int tip;
    public String tipName;
    public int index;
    /** This end's role: {@code nock} or {@code tip}. */
    public String role;
    /** {@code packet} or {@code stream}. */
    public String mode;
    /** The state this end last wrote, as {@code TubeState} names it: {@code CONNECTED}, {@code CLOSING}, ... */
    public String state;
    public String nockDir;
    public String tipDir;
    /** The grant references and port the tip offered (-1 where they could not be read). */
    public int txRingRef;
    public int rxRingRef;
    public int eventChannel;
    /** Bytes in each ring. */
    public int ringSize;
    public long packetsSent;
    public long bytesSent;
    public long packetsReceived;
    public long bytesReceived;
    public long kicks;
    public long fullWaits;
    public long emptyWaits;
    /** When it connected and when it closed, in milliseconds since the epoch; 0 while open. */
    public long connectedAt;
    public long closedAt;
    /** Why it closed; null while open. */
    public String closeReason;
    /** The id of its {@code Tube} service while it has one, else -1. */
    public long serviceId;
}
