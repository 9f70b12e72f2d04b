package io.tubes.ring;

/**
 * How a side waits for its peer: how long it may spin (looking at the ring, holding its core)
 * before it sleeps on the event channel, and whether that spin adapts.
 *
 * <p>{@link #adaptive(long)} is the default: the side spins only while spinning pays, as Linux's
 * halt polling grows and shrinks its window. A spin that misses the peer stops the spinning at once:
 * on a machine whose cores are busy with other work, the peer comes only when the scheduler runs
 * it, and a spinning side would hold the core it needs. A sleep the peer ended within the longest
 * spin starts it again (50 µs), and a spin that caught the peer late in its window doubles it, up to
 * the longest. Keep the longest short ({@link #DEFAULT}: 200 µs, the kernel's own default for halt
 * polling).
 *
 * <p>{@link #spinning(long)} always spins its whole time first: the lowest latency when the side
 * has a core of its own, and a collapse when it has not: a spinning side holds the core its peer
 * needs.
 *
 * @param spinNanos the longest spin before sleeping, 0 for none
 * @param adaptive  whether the spin adapts within that, or is always the whole of it
 */
public record Waiting(long spinNanos, boolean adaptive)
{
    /** Where an adaptive window starts, and what it grows to from nothing. */
    static final long START_NANOS = 50_000;

    /** The default: adaptive, spinning at most 200 µs. */
    public static final Waiting DEFAULT = adaptive(200_000);

    public Waiting
    {
        if (spinNanos < 0)
        {
            throw new IllegalArgumentException("a spin cannot be negative: spinNanos=" + spinNanos);
        }
    }

    /** Spins only while spinning pays, and never longer than {@code maxSpinNanos}. */
    public static Waiting adaptive(final long maxSpinNanos)
    {
        return new Waiting(maxSpinNanos, true);
    }

    /** Always spins {@code spinNanos} before sleeping. */
    public static Waiting spinning(final long spinNanos)
    {
        return new Waiting(spinNanos, false);
    }

    /** Sleeps as soon as a few looks found nothing. */
    public static Waiting sleeping()
    {
        return new Waiting(0, false);
    }
}
