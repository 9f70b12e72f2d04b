package io.tubes.tube.runtime;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The tubes of this domain as data, as {@code ServiceComponentRuntime} shows DS components: each
 * call takes a fresh snapshot, which later calls do not change.
 */
@ProviderType
public interface TubeRuntime
{
    /** Every tube of this domain that is connected now, in the order they connected. */
    List<TubeDTO> tubes();

    /** The tubes that closed last, newest first, each with why; a few hundred are kept. */
    List<TubeDTO> closedTubes();

    /** The tube of that id ({@code nock>tip/index}): connected now, else the last that closed. */
    Optional<TubeDTO> tube(String id);
}
