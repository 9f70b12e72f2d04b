package io.tubes.tube;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The seed's example: domain 7 (the nock) opens tube 0 to domain 5 (the tip). */
class TubePathsTest
{
    private final TubePaths tube = new TubePaths(7, 5, 0);

    @Test
    void theNodesAreWhereTheSeedPutsThem()
    {
        assertEquals("/local/domain/7/data/nock/5/0", tube.nockDir());
        assertEquals("/local/domain/5/data/tip/7/0", tube.tipDir());
        assertEquals("/local/domain/5/data/tip", TubePaths.knocks(5));
        assertEquals("/local/domain/5/data/tip/7/0/state", tube.node(TubeRole.TIP, TubePaths.STATE));
        assertEquals("/local/domain/7/data/nock/5/0/tip", tube.node(TubeRole.NOCK, TubeRole.TIP.node()));
        assertEquals("/local/domain/5/data/tip/7/0/nock", tube.node(TubeRole.TIP, TubeRole.NOCK.node()));
        assertEquals("/local/domain/5/data/tip/7/0/tx-ring-ref", tube.node(TubeRole.TIP, TubePaths.TX_RING_REF));
        assertEquals(TubeRole.TIP, TubeRole.NOCK.other());
    }

    @Test
    void aDirectoryReadsBackAsItsTube()
    {
        assertEquals(tube, TubePaths.ofTipDir(tube.tipDir()));
        assertEquals(tube, TubePaths.ofNockDir(tube.nockDir()));
        assertEquals(new TubePaths(0, 2147483647, 12), TubePaths.ofTipDir("/local/domain/2147483647/data/tip/0/12"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "/local/domain/5/data/tip/7", "/local/domain/5/data/tip/7/0/",
        "local/domain/5/data/tip/7/0", "/local/domain/5/data/nock/7/0", "/local/domain/5/data/tip/07/0",
        "/local/domain/5/data/tip/7/-1", "/local/domain/5/data/tip/7/2147483648", "/local/domain/x/data/tip/7/0",
        "/local/domain/5/data/tip/7/0/state", "/local/domain/5/other/tip/7/0", "/local/domain/5/data/tip/ 7/0"})
    void anythingElseAPeerMightWriteIsNotATube(final String garbage)
    {
        assertNull(TubePaths.ofTipDir(garbage), garbage);
    }
}
