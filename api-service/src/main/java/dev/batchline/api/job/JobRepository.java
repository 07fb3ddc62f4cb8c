package dev.batchline.api.job;

import java.util.Optional;
import java.util.UUID;

import jakarta.persistence.LockModeType;

import org.springframework.data.jpa.repository.JpaRepository;
import org.springframework.data.jpa.repository.Lock;
import org.springframework.data.jpa.repository.Query;

interface JobRepository extends JpaRepository<Job, UUID> {

	Optional<Job> findByIdAndTenantId(UUID id, UUID tenantId);

	@Lock(LockModeType.PESSIMISTIC_WRITE)
	@Query("select j from Job j where j.id = :id")
	Optional<Job> findForUpdate(UUID id);

}
