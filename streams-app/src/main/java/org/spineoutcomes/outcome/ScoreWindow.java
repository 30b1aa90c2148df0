package org.spineoutcomes.outcome;

import org.spineoutcomes.schema.Window;

/**
 * Day ranges of the score windows (docs/computation-rules.md R14, R15). BASELINE accepts assessments strictly before
 * the index instant with day number >= -30, so its last accepted day is 0 (a day-0 assessment before
 * the index instant is baseline); that is also the day its completeness is judged by (R2).
 */
public enum ScoreWindow {
    BASELINE(Window.BASELINE, -ScoreWindows.BASELINE_LOOKBACK_DAYS, 0, 0),
    D1(Window.D1, 0, 3, 1),
    W1(Window.W1, 4, 14, 7),
    M1(Window.M1, 15, 45, 30),
    M3(Window.M3, 46, 135, 90),
    M6(Window.M6, 136, 270, 180),
    M12(Window.M12, 271, 540, 365),
    M24(Window.M24, 541, 900, 730);

    public final Window window;
    public final int firstDay;
    public final int lastDay;
    public final int targetDay;

    ScoreWindow(Window window, int firstDay, int lastDay, int targetDay) {
        this.window = window;
        this.firstDay = firstDay;
        this.lastDay = lastDay;
        this.targetDay = targetDay;
    }

    public boolean accepts(long dayNumber) {
        return dayNumber >= firstDay && dayNumber <= lastDay;
    }

    public static ScoreWindow of(Window window) {
        for (ScoreWindow w : values()) if (w.window == window) return w;
        throw new IllegalArgumentException("not a score window: " + window);
    }
}
