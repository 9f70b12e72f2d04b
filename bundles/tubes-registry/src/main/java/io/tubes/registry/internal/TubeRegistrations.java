package io.tubes.registry.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;

import io.tubes.handshake.TubeEvents;
import io.tubes.tube.Tube;
import io.tubes.tube.TubeCounters;
import io.tubes.tube.TubePaths;
import io.tubes.tube.runtime.TubeDTO;
import io.tubes.tube.runtime.TubeRuntime;
import io.tubes.xenstore.XenStore;
import io.tubes.xenstore.XenStoreException;

/**
 * Publishes each connected tube as a {@code Tube} service and withdraws it the moment the tube
 * leaves Connected, before the tube is freed (the handshake tells it then, and frees after). A
 * withdrawal names the tube object it withdraws, so that a late close of an old tube never takes
 * away the service of the tube that replaced it under the same id.
 */
final class TubeRegistrations implements TubeEvents, TubeRuntime
{
    private static final Logger LOG = Logger.getLogger(TubeRegistrations.class.getName());
    static final String ID = "tube.id";
    static final String PEER = "tube.peer";
    static final String PEER_NAME = "tube.peer.name";
    static final String INDEX = "tube.index";
    static final String ROLE = "tube.role";
    static final String MODE = "tube.mode";
    private static final int CLOSED_KEPT = 256;

    private final BundleContext context;
    private final XenStore xs;
    private final Map<String, Published> published = new ConcurrentHashMap<>();
    /** The tubes that closed last, newest first; guarded by itself. */
    private final Deque<TubeDTO> closed = new ArrayDeque<>();

    /** A tube with its service, and what is fixed from its connection on. */
    private record Published(Tube tube, ServiceRegistration<Tube> registration, long serviceId, long connectedAt,
        int txRingRef, int rxRingRef, int eventChannel)
    {
    }

    TubeRegistrations(final BundleContext context, final XenStore xs)
    {
        this.context = context;
        this.xs = xs;
    }

    @Override
    public void connected(final Tube tube)
    {
        final String id = tube.id().toString();
        final Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(ID, id);
        properties.put(PEER, tube.peer());
        properties.put(PEER_NAME, tube.peerName());
        properties.put(INDEX, tube.index());
        properties.put(ROLE, tube.role().node());
        properties.put(MODE, tube.mode().node());
        properties.put(Constants.SERVICE_DESCRIPTION, "tube " + id + " to domain " + tube.peer());
        final String tip = tube.paths().tipDir();
        final int tx = number(tip + "/" + TubePaths.TX_RING_REF);
        final int rx = number(tip + "/" + TubePaths.RX_RING_REF);
        final int port = number(tip + "/" + TubePaths.EVENT_CHANNEL);
        final ServiceRegistration<Tube> registration = context.registerService(Tube.class, tube, properties);
        final long serviceId = (Long) registration.getReference().getProperty(Constants.SERVICE_ID);
        published.put(id, new Published(tube, registration, serviceId, System.currentTimeMillis(), tx, rx, port));
        LOG.log(Level.INFO, "tube {0} is service {1}", new Object[] {id, serviceId});
    }

    @Override
    public void disconnected(final Tube tube, final String reason)
    {
        final String id = tube.id().toString();
        final Published gone = published.get(id);
        if (gone == null || gone.tube != tube)
        {
            return; // not this tube's service: its successor's, or none
        }
        final TubeDTO last = dto(gone, -1);
        last.closedAt = System.currentTimeMillis();
        last.closeReason = reason;
        synchronized (closed)
        {
            closed.addFirst(last); // before the service goes: whoever sees it go can ask why
            while (closed.size() > CLOSED_KEPT)
            {
                closed.removeLast();
            }
        }
        published.remove(id, gone);
        try
        {
            gone.registration.unregister();
        }
        catch (final IllegalStateException e)
        {
            LOG.log(Level.FINE, "tube {0}''s service was gone already: {1}", new Object[] {id, e.getMessage()});
        }
        LOG.log(Level.INFO, "tube {0}''s service {1} withdrawn: {2}", new Object[] {id, gone.serviceId, reason});
    }

    @Override
    public List<TubeDTO> tubes()
    {
        final List<Published> now = new ArrayList<>(published.values());
        now.sort((a, b) -> Long.compare(a.serviceId, b.serviceId));
        final List<TubeDTO> dtos = new ArrayList<>();
        now.forEach(p -> dtos.add(dto(p, p.serviceId)));
        return dtos;
    }

    @Override
    public List<TubeDTO> closedTubes()
    {
        synchronized (closed)
        {
            return List.copyOf(closed);
        }
    }

    @Override
    public Optional<TubeDTO> tube(final String id)
    {
        final Published live = published.get(id);
        if (live != null)
        {
            return Optional.of(dto(live, live.serviceId));
        }
        return closedTubes().stream().filter(dto -> dto.id.equals(id)).findFirst();
    }

    /** The tube of {@code id} that has a service now. */
    Optional<Tube> published(final String id)
    {
        return Optional.ofNullable(published.get(id)).map(Published::tube);
    }

    private static TubeDTO dto(final Published p, final long serviceId)
    {
        final Tube tube = p.tube;
        final TubeDTO dto = new TubeDTO();
        dto.id = tube.id().toString();
        dto.nock = tube.paths().nock();
        dto.nockName = tube.id().nock();
        dto.tip = tube.paths().tip();
        dto.tipName = tube.id().tip();
        dto.index = tube.index();
        dto.role = tube.role().node();
        dto.mode = tube.mode().node();
        dto.state = tube.state().name();
        dto.nockDir = tube.paths().nockDir();
        dto.tipDir = tube.paths().tipDir();
        dto.txRingRef = p.txRingRef;
        dto.rxRingRef = p.rxRingRef;
        dto.eventChannel = p.eventChannel;
        dto.ringSize = tube.ringSize();
        final TubeCounters counters = tube.counters();
        dto.packetsSent = counters.packetsSent();
        dto.bytesSent = counters.bytesSent();
        dto.packetsReceived = counters.packetsReceived();
        dto.bytesReceived = counters.bytesReceived();
        dto.kicks = counters.kicks();
        dto.fullWaits = counters.fullWaits();
        dto.emptyWaits = counters.emptyWaits();
        dto.connectedAt = p.connectedAt;
        dto.serviceId = serviceId;
        return dto;
    }

    /** A number the tip wrote, or -1 where it cannot be read. */
    private int number(final String path)
    {
        try
        {
            return xs.tryRead(path).map(Integer::parseInt).orElse(-1);
        }
        catch (final XenStoreException | NumberFormatException e)
        {
            return -1;
        }
    }
}
