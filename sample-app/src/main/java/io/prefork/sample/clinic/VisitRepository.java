package io.prefork.sample.clinic;

import java.util.List;

import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.Repository;
import org.springframework.data.repository.query.Param;

public interface VisitRepository extends Repository<Visit, Integer> {

	@Query("select v from Visit v join fetch v.pet p where p.owner.id = :ownerId order by v.date desc, v.id")
	List<Visit> findByOwner(@Param("ownerId") int ownerId);

}
