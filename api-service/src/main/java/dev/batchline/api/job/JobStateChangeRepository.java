package dev.batchline.api.job;

import java.util.List;
import java.util.UUID;

import org.springframework.data.jpa.repository.JpaRepository;

interface JobStateChangeRepository extends JpaRepository<JobStateChange, Long> {

	List<JobStateChange> findByJobIdOrderById(UUID jobId);

}
