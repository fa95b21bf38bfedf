# jan is a person
