package io.tubes.handshake.internal;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.tubes.driver.DriverException;
import io.tubes.driver.EventChannels;
import io.tubes.driver.GrantTable;
import io.tubes.driver.MappedPages;
import io.tubes.driver.SharedPages;
import io.tubes.driver.UnmapNotify;
import io.tubes.driver.XenDriver;
import io.tubes.ring.RingException;
import io.tubes.ring.RingFormat;
import io.tubes.ring.RingInputChannel;
import io.tubes.ring.RingLayout;
import io.tubes.ring.RingOutputChannel;
import io.tubes.ring.RingReader;
import io.tubes.ring.RingReceiver;
import io.tubes.ring.RingSender;
import io.tubes.ring.RingWriter;
import io.tubes.ring.Waiting;
import io.tubes.tube.TubeException;
import io.tubes.tube.TubeMode;

/**
 * What one end of a connected tube holds: its event-channel handle and port, the two rings' pages
 * (shared by the tip, mapped by the nock) and the ring sides on them. Each ring's control page is
 * shared and mapped apart from its data, with Xen's unmap notification on this end's live word, so
 * that the peer learns at once when this end's process lets go of it.
 */
final class Rings
{
    private static final Logger LOG = Logger.getLogger(Rings.class.getName());
    /** How long freeing waits for calls in the rings to leave before it leaves the memory mapped instead. */
    private static final long DRAIN_MILLIS = 2_000;

    final TubeMode mode;
    final int port;
    final int ringSize;
    /** The grant refs of the two control pages, as the tip publishes them; -1 on the nock. */
    final int txRef;
    final int rxRef;
    final Guard sending = new Guard();
    final Guard receiving = new Guard();
    private final EventChannels handle;
    private final Deque<AutoCloseable> pages;
    private final RingWriter writer;
    private final RingReader reader;
    final RingSender sender;
    final RingReceiver receiver;
    final RingOutputChannel out;
    final RingInputChannel in;
    private boolean freed;
    private boolean outletClosed;

    private Rings(final TubeMode mode, final EventChannels handle, final int port, final Deque<AutoCloseable> pages,
        final RingWriter writer, final RingReader reader, final int txRef, final int rxRef)
    {
        this.mode = mode;
        this.handle = handle;
        this.port = port;
        this.pages = pages;
        this.writer = writer;
        this.reader = reader;
        this.txRef = txRef;
        this.rxRef = rxRef;
        this.ringSize = writer.dataSize();
        final SharedPort shared = new SharedPort(handle, port);
        if (mode == TubeMode.PACKET)
        {
            sender = new RingSender(writer, shared.sending(), port, Waiting.DEFAULT);
            receiver = new RingReceiver(reader, shared.receiving(), port, Waiting.DEFAULT);
            out = null;
            in = null;
        }
        else
        {
            sender = null;
            receiver = null;
            out = new RingOutputChannel(writer, shared.sending(), port, Waiting.DEFAULT);
            in = new RingInputChannel(reader, shared.receiving(), port, Waiting.DEFAULT);
        }
    }

    /**
     * The tip's side: binds an unbound port for {@code nock}, shares and formats the two rings
     * ({@code tx}, which the tip writes, and {@code rx}, which it reads), and attaches to both.
     */
    static Rings share(final XenDriver driver, final int nock, final TubeMode mode, final int ringSize)
        throws TubeException
    {
        final Deque<AutoCloseable> held = new ArrayDeque<>();
        EventChannels handle = null;
        try
        {
            handle = driver.openEventChannels();
            final int port = handle.bindUnbound(nock);
            final GrantTable grants = driver.grantTable();
            final int pages = ringSize / GrantTable.PAGE_SIZE;
            final SharedPages txControl = held(held, grants.share(nock, 1, true,
                new UnmapNotify(RingLayout.PRODUCER_LIVE_OFFSET, port)));
            final SharedPages txData = held(held, grants.share(nock, pages, true, null));
            final SharedPages rxControl = held(held, grants.share(nock, 1, true,
                new UnmapNotify(RingLayout.CONSUMER_LIVE_OFFSET, port)));
            final SharedPages rxData = held(held, grants.share(nock, pages, true, null));
            final int format = mode == TubeMode.PACKET ? RingLayout.MODE_PACKET : RingLayout.MODE_STREAM;
            RingFormat.format(txControl.buffer(), txData.buffer(), ringSize, format, txData.refs());
            RingFormat.format(rxControl.buffer(), rxData.buffer(), ringSize, format, rxData.refs());
            final RingWriter writer = RingWriter.attach(txControl.buffer(), txData.buffer());
            final RingReader reader = RingReader.attach(rxControl.buffer(), rxData.buffer(), ringSize);
            return new Rings(mode, handle, port, held, writer, reader, txControl.refs().get(0),
                rxControl.refs().get(0));
        }
        catch (final DriverException | RingException e)
        {
            release(handle, held);
            throw new TubeException("cannot allocate the tube's rings for domain " + nock + ": " + e.getMessage(), e);
        }
    }

    /**
     * The nock's side: connects to the tip's port, maps the tip's two rings ({@code txRef}, which the
     * tip writes and this end reads, and {@code rxRef}) and attaches to both, checking that the tip
     * formatted them for {@code mode}.
     */
    static Rings map(final XenDriver driver, final int tip, final int txRef, final int rxRef, final int tipPort,
        final TubeMode mode) throws TubeException
    {
        final Deque<AutoCloseable> held = new ArrayDeque<>();
        EventChannels handle = null;
        try
        {
            handle = driver.openEventChannels();
            final int port = handle.bindInterdomain(tip, tipPort);
            final GrantTable grants = driver.grantTable();
            final MappedPages txControl = held(held, grants.map(tip, List.of(txRef), true,
                new UnmapNotify(RingLayout.CONSUMER_LIVE_OFFSET, port)));
            final MappedPages txData = held(held, grants.map(tip, RingLayout.dataRefs(txControl.buffer()), true, null));
            final MappedPages rxControl = held(held, grants.map(tip, List.of(rxRef), true,
                new UnmapNotify(RingLayout.PRODUCER_LIVE_OFFSET, port)));
            final MappedPages rxData = held(held, grants.map(tip, RingLayout.dataRefs(rxControl.buffer()), true, null));
            final RingReader reader = RingReader.attach(txControl.buffer(), txData.buffer(),
                txData.buffer().capacity());
            final RingWriter writer = RingWriter.attach(rxControl.buffer(), rxData.buffer());
            final int format = mode == TubeMode.PACKET ? RingLayout.MODE_PACKET : RingLayout.MODE_STREAM;
            if (reader.mode() != format || writer.mode() != format)
            {
                throw new RingException("the tip formatted its rings for another mode than the " + mode.node()
                    + " the nock asked for");
            }
            if (reader.dataSize() != writer.dataSize())
            {
                throw new RingException("the tip's rings differ in size: " + reader.dataSize() + " and "
                    + writer.dataSize() + " bytes");
            }
            return new Rings(mode, handle, port, held, writer, reader, -1, -1);
        }
        catch (final DriverException | RingException e)
        {
            release(handle, held);
            throw new TubeException("cannot map the rings domain " + tip + " granted (refs " + txRef + " and " + rxRef
                + ", port " + tipPort + "): " + e.getMessage(), e);
        }
    }

    private static <T extends AutoCloseable> T held(final Deque<AutoCloseable> held, final T pages)
    {
        held.push(pages);
        return pages;
    }

    /** Stops sending at once: a send in progress or later fails with {@code reason}; the ring is left as it is. */
    void stopSending(final String reason)
    {
        try
        {
            if (sender != null)
            {
                sender.stop(reason);
            }
            else
            {
                out.stop(reason);
            }
        }
        catch (final DriverException e)
        {
            LOG.log(Level.FINE, "waking the sending side: {0}", e.getMessage());
        }
    }

    /** Stops receiving at once, as {@link #stopSending}. */
    void stopReceiving(final String reason)
    {
        try
        {
            if (receiver != null)
            {
                receiver.stop(reason);
            }
            else
            {
                in.stop(reason);
            }
        }
        catch (final DriverException e)
        {
            LOG.log(Level.FINE, "waking the receiving side: {0}", e.getMessage());
        }
    }

    /**
     * Ends this end's outgoing ring: sends stop (a send in progress fails with {@code reason}), and
     * once none is in the ring the producer's closed flag is set, so that the peer reads what was sent
     * and then sees the end. Only the writer moves the ring's producer position, so the flag waits for it.
     */
    synchronized void closeOutlet(final String reason) throws InterruptedException
    {
        if (outletClosed)
        {
            return;
        }
        outletClosed = true;
        sending.refuse(reason);
        stopSending(reason);
        if (!sending.drained(DRAIN_MILLIS))
        {
            LOG.log(Level.WARNING, "a send still runs {0} ms after the output of port {1} was closed: the peer sees no"
                + " end of stream", new Object[] {DRAIN_MILLIS, port});
            return;
        }
        writer.close();
        try
        {
            handle.notify(port);
        }
        catch (final DriverException e)
        {
            LOG.log(Level.FINE, "kicking the peer after the close: {0}", e.getMessage());
        }
    }

    /** Whether everything the peer sent has been read and the peer closed its outlet. */
    boolean drained()
    {
        try
        {
            return !reader.hasData() && reader.hasDataOrEnd();
        }
        catch (final RingException e)
        {
            return true; // a broken ring has nothing more to deliver
        }
    }

    /** Stops both sides at once: calls in progress and later fail with {@code reason}; nothing is freed yet. */
    void stop(final String reason)
    {
        sending.refuse(reason);
        receiving.refuse(reason);
        stopSending(reason);
        stopReceiving(reason);
    }

    /**
     * Frees everything: stops both sides with {@code reason}, waits for calls in the rings to leave,
     * then closes the handle (unbinding the port) and unmaps or unshares the pages. Pages a call still
     * uses after the wait are left mapped, and logged: unmapping them would crash the process.
     */
    synchronized void free(final String reason) throws InterruptedException
    {
        if (freed)
        {
            return;
        }
        freed = true;
        stop(reason);
        final boolean idle = sending.drained(DRAIN_MILLIS) & receiving.drained(DRAIN_MILLIS);
        if (!idle)
        {
            LOG.log(Level.SEVERE, "a call still uses the rings of port {0} {1} ms after the tube closed; its pages stay"
                + " mapped", new Object[] {port, DRAIN_MILLIS});
            release(handle, new ArrayDeque<>());
            return;
        }
        reader.close();
        if (!outletClosed)
        {
            writer.close();
        }
        release(handle, pages);
    }

    private static void release(final EventChannels handle, final Deque<AutoCloseable> held)
    {
        if (handle != null)
        {
            try
            {
                handle.close();
            }
            catch (final DriverException e)
            {
                LOG.log(Level.WARNING, "closing a tube''s event channel: {0}", e.getMessage());
            }
        }
        while (!held.isEmpty())
        {
            try
            {
                held.pop().close();
            }
            catch (final Exception e)
            {
                LOG.log(Level.WARNING, "freeing a tube''s pages: {0}", e.getMessage());
            }
        }
    }

    /** A recent count of the kicks this end sent. */
    long kicks()
    {
        return sender != null ? sender.kicks() + receiver.kicks() : out.kicks() + in.kicks();
    }

    long fullWaits()
    {
        return sender != null ? sender.fullWaits() : out.fullWaits();
    }

    long emptyWaits()
    {
        return receiver != null ? receiver.waits() : in.waits();
    }
}
