package io.prefork.sample.clinic;

import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

@Entity
@Table(name = "clinic_types")
public class PetType {

	@Id
	private Integer id;

	private String name;

	protected PetType() {
	}

	public Integer getId() {
		return this.id;
	}

	public String getName() {
		return this.name;
	}

}
