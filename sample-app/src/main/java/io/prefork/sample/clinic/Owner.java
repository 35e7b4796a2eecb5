package io.prefork.sample.clinic;

import java.util.ArrayList;
import java.util.List;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.OneToMany;
import jakarta.persistence.OrderBy;
import jakarta.persistence.Table;

/**
 * A pet owner: the root of the realistic profile's small object graph (owner → pets → visits).
 */
@Entity
@Table(name = "clinic_owners")
public class Owner {

	@Id
	private Integer id;

	@Column(name = "first_name")
	private String firstName;

	@Column(name = "last_name")
	private String lastName;

	private String address;

	private String city;

	private String telephone;

	@OneToMany(mappedBy = "owner")
	@OrderBy("name")
	private List<Pet> pets = new ArrayList<>();

	protected Owner() {
	}

	public Integer getId() {
		return this.id;
	}

	public String getFirstName() {
		return this.firstName;
	}

	public String getLastName() {
		return this.lastName;
	}

	public String getAddress() {
		return this.address;
	}

	public String getCity() {
		return this.city;
	}

	public String getTelephone() {
		return this.telephone;
	}

	public List<Pet> getPets() {
		return this.pets;
	}

}
