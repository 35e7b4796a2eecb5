package io.prefork.sample.clinic;

import java.util.List;
import java.util.Optional;

import org.springframework.data.jpa.repository.Query;
import org.springframework.data.repository.Repository;
import org.springframework.data.repository.query.Param;

/**
 * Owners with their pets in one query each (no N+1); only instantiated with the realistic
 * profile, which is the only one that enables Spring Data JPA's auto-configuration.
 */
public interface OwnerRepository extends Repository<Owner, Integer> {

	@Query("select distinct o from Owner o left join fetch o.pets p left join fetch p.type "
			+ "order by o.lastName, o.firstName")
	List<Owner> findAllWithPets();

	@Query("select o from Owner o left join fetch o.pets p left join fetch p.type where o.id = :id")
	Optional<Owner> findWithPets(@Param("id") int id);

}
