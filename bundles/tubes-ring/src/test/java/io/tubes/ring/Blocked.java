package io.tubes.ring;

import java.util.concurrent.CompletableFuture;

/** Runs a call that blocks on another thread, for a test to end it and see how it failed. */
final class Blocked
{
    /** A call that blocks. */
    @FunctionalInterface
    interface Call
    {
        void run() throws Exception;
    }

    private Blocked()
    {
    }

    /** Starts {@code call} on another thread: what it fails with, or null if it returns. */
    static CompletableFuture<Throwable> failureOf(final Call call)
    {
        return CompletableFuture.supplyAsync(() ->
        {
            try
            {
                call.run();
                return null;
            }
            catch (final Exception e)
            {
                return e;
            }
        });
    }
}
