package io.tubes.tube;

/**
 * What one end of a tube has moved, as recently seen (the counts are kept by the sending and the
 * receiving thread and read without stopping them).
 *
 * @param packetsSent     packets (stream mode: writes) this end sent
 * @param bytesSent       bytes this end sent
 * @param packetsReceived packets (stream mode: reads that returned bytes) this end received
 * @param bytesReceived   bytes this end received
 * @param kicks           event-channel notifications this end sent (only a peer that asked for one is kicked)
 * @param fullWaits       times this end waited for room because the peer had not read enough
 * @param emptyWaits      times this end waited for the peer to send
 */
public record TubeCounters(long packetsSent, long bytesSent, long packetsReceived, long bytesReceived, long kicks,
    long fullWaits, long emptyWaits)
{
}
