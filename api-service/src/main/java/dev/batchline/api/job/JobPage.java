package dev.batchline.api.job;

import java.util.List;

/**
 * A page of a tenant's jobs, newest first.
 *
 * @param jobs the jobs (without their history)
 * @param nextCursor the cursor of the next page, or null on the last
 */
public record JobPage(List<JobView> jobs, String nextCursor) {
}
